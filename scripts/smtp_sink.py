"""A real SMTP server for the tests (aiosmtpd, from PyPI), writing every
message it accepts into a Maildir.

    python smtp_sink.py PORT MAILDIR

Recipients whose local part starts with `reject` are refused for good
(550); those starting with `busy` are refused for now (451); a message to
one starting with `slow` is accepted after half a second. Everything else
is accepted at once. Runs until it is terminated.
"""

import asyncio
import mailbox
import signal
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, maildir):
        self.box = mailbox.Maildir(maildir, create=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 No such mailbox here"
        if local.startswith("busy"):
            return "451 4.3.2 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(a.split("@", 1)[0].lower().startswith("slow") for a in envelope.rcpt_tos):
            await asyncio.sleep(0.5)
        self.box.add(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def main():
    port, maildir = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(maildir), hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
