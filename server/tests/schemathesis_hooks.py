"""What a bank's system knows beyond the OpenAPI document, for the
schemathesis run of `schema_fuzz::`: today's date in Japan (a debit is not
in the future) and that confirming less than a line's `amount_yen` needs a
reason (both stated in the document's descriptions; neither can be a static
schema rule). Only schema-valid values are changed, so a request generated
to be invalid stays invalid."""

import datetime
import re

import schemathesis

DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def today_in_japan():
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=9)
    return now.date()


def what_a_bank_knows(body):
    if not isinstance(body, dict) or body.get("verdict") != "confirmed":
        return body
    day = body.get("bank_date")
    if isinstance(day, str) and DAY.match(day):
        try:
            if datetime.date.fromisoformat(day) > today_in_japan():
                body["bank_date"] = today_in_japan().isoformat()
        except ValueError:
            pass
    reason = body.get("less_reason")
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        body["less_reason"] = "The bank's records show less than was claimed."
    return body


@schemathesis.hook
def map_body(ctx, body):
    return what_a_bank_knows(body)


# The coverage phase sends boundary values without the generation hooks:
# the same knowledge, put in just before each request is sent.
@schemathesis.hook
def before_call(ctx, case, kwargs):
    what_a_bank_knows(case.body)
