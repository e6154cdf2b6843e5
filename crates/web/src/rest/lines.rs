//! The debit lines claimed at the key's bank: list, read one, answer it.

use super::*;

/// A debit line claimed on an account at the key's bank.
#[derive(Debug, Serialize, ToSchema)]
pub struct Line {
    id: Uuid,
    /// The claim's reference, e.g. `RD-000123`.
    claim_reference: String,
    /// The line's position within the claim.
    position: i64,
    branch_code: String,
    /// `ordinary`, `current` or `savings`.
    account_type: String,
    account_number: String,
    /// The date the claimant gives (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    debit_date: chrono::NaiveDate,
    /// The amount claimed, in yen.
    amount_yen: i64,
    /// The text on the passbook.
    descriptor: String,
    /// `pending`, `confirmed` or `disputed`.
    status: String,
    /// The amount the bank confirmed, in yen.
    confirmed_amount_yen: Option<i64>,
    answered_at: Option<DateTime<Utc>>,
}

impl From<ApiLine> for Line {
    fn from(l: ApiLine) -> Line {
        Line {
            id: l.id,
            claim_reference: l.reference,
            position: l.position,
            branch_code: l.branch_code,
            account_type: l.account_type,
            account_number: l.account_number,
            debit_date: l.debit_date,
            amount_yen: l.amount.value(),
            descriptor: l.descriptor,
            status: l.bank_verdict.unwrap_or_else(|| "pending".to_owned()),
            confirmed_amount_yen: l.confirmed_amount.map(app::domain::Yen::value),
            answered_at: l.bank_answered_at,
        }
    }
}

/// One page of pending lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinesPage {
    items: Vec<Line>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinesQuery {
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]+-[0-9]+$")]
    cursor: Option<String>,
    /// Lines per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// The debit lines at the key's bank that have no answer yet, oldest claim
/// first.
#[utoipa::path(
    get, path = "/api/v1/lines", tag = "lines", params(LinesQuery),
    responses(
        (status = 200, description = "A page of pending lines", body = LinesPage),
        (status = 400, description = "Unknown parameter, bad cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limit passed", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(super) async fn list_lines(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<LinesQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Ok(Query(q)) = query else {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            "The query is not valid",
            "Known parameters: cursor, limit.",
        );
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid-limit",
            "limit must be 1 to 500",
            "",
        );
    }
    let after = match q.cursor.as_deref() {
        None => (0, 0),
        Some(c) => match c
            .split_once('-')
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        {
            Some(pair) => pair,
            None => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "invalid-cursor",
                    "The cursor is not valid",
                    "Use the next_cursor of the previous page.",
                );
            }
        },
    };
    let rows = match api_keys::pending_lines(&state.db, caller.bank(), after, limit + 1).await {
        Ok(rows) => rows,
        Err(_) => return unavailable(),
    };
    let more = rows.len() as i64 > limit;
    let items: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = more
        .then(|| items.last().map(|l| format!("{}-{}", l.seq, l.position)))
        .flatten();
    Json(LinesPage {
        items: items.into_iter().map(Line::from).collect(),
        next_cursor,
    })
    .into_response()
}

/// An id in a path; anything else names nothing (404).
pub(super) fn parse_id(id: &str) -> Option<Uuid> {
    Uuid::parse_str(id).ok()
}

/// One debit line at the key's bank, with the bank's answer if any.
#[utoipa::path(
    get, path = "/api/v1/lines/{id}", tag = "lines",
    params(("id" = Uuid, Path, description = "The line's id")),
    responses(
        (status = 200, description = "The line", body = Line),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such line at this key's bank", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(super) async fn get_line(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Some(id) = parse_id(&id) else {
        return not_found();
    };
    match api_keys::line_at_bank(&state.db, caller.bank(), id).await {
        Ok(Some(line)) => Json(Line::from(line)).into_response(),
        Ok(None) => not_found(),
        Err(_) => unavailable(),
    }
}

/// The bank's answer on a line: confirmed with the bank's own figures, or
/// disputed with a reason. Sending it again corrects the answer (until the
/// case is approved); every answer is kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "verdict", rename_all = "snake_case", deny_unknown_fields)]
pub enum Verification {
    Confirmed {
        /// The amount that left the account, in yen (1 to 10,000,000).
        #[schema(minimum = 1, maximum = 10_000_000)]
        #[serde(deserialize_with = "super::whole_yen")]
        confirmed_amount_yen: i64,
        /// The bank's transaction date (YYYY-MM-DD), in 2015 or later and
        /// not after today in Japan (422 naming `bank_date` otherwise).
        #[schema(
            format = Date,
            pattern = "^(201[5-9]|20[2-9][0-9]|2[1-9][0-9]{2}|[3-9][0-9]{3})-[0-9]{2}-[0-9]{2}$"
        )]
        bank_date: String,
        /// The bank's transaction reference (up to 60 characters, no
        /// control characters).
        #[schema(max_length = 60, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
        bank_reference: Option<String>,
        /// The account holder's name in katakana (hiragana is read as
        /// katakana), words separated by spaces, as the bank holds it.
        #[schema(
            max_length = 60,
            pattern = "^[ \\u3000]*[\\u3041-\\u3096\\u30a1-\\u30fa\\u30fc]+([ \\u3000]+[\\u3041-\\u3096\\u30a1-\\u30fa\\u30fc]+)*[ \\u3000]*$"
        )]
        holder_kana: String,
        /// Why the bank confirms less than was claimed: required when
        /// `confirmed_amount_yen` is below the line's `amount_yen` (422
        /// naming `less_reason` otherwise); up to 1,000 characters.
        #[schema(max_length = 1000, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
        less_reason: Option<String>,
    },
    Disputed {
        reason: DisputeReason,
        /// Required (not blank) when the reason is `other`; up to 1,000
        /// characters.
        #[schema(max_length = 1000, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
        note: Option<String>,
    },
}

impl Verification {
    /// The typed answer the service takes, checked by the domain's rules;
    /// an error names the JSON key it is about.
    fn into_answer(self, today: chrono::NaiveDate) -> Result<Answer, FieldErrors> {
        match self {
            Verification::Confirmed {
                confirmed_amount_yen,
                bank_date,
                bank_reference,
                holder_kana,
                less_reason,
            } => app::domain::verification::confirmed(
                (AMOUNT_FIELD, &confirmed_amount_yen.to_string()),
                ("bank_date", &bank_date),
                ("bank_reference", bank_reference.as_deref().unwrap_or("")),
                ("holder_kana", &holder_kana),
                (
                    app::domain::verification::LESS_REASON,
                    less_reason.as_deref().unwrap_or(""),
                ),
                today,
            ),
            Verification::Disputed { reason, note } => {
                let mut e = FieldErrors::new();
                let note = app::domain::verification::dispute_note(
                    &mut e,
                    "note",
                    note.as_deref().unwrap_or(""),
                    Some(reason),
                );
                if e.is_empty() {
                    Ok(Answer::Disputed { reason, note })
                } else {
                    Err(e)
                }
            }
        }
    }
}

/// Answers (or corrects the answer on) a line at the key's bank.
#[utoipa::path(
    post, path = "/api/v1/lines/{id}/verification", tag = "lines",
    params(
        ("id" = Uuid, Path, description = "The line's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    request_body = Verification,
    responses(
        (status = 200, description = "The line with its new answer", body = Line),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such line at this key's bank", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Answers are closed (case approved) or the Idempotency-Key was used for another body", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown or invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(super) async fn verify_line(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let path = format!("/api/v1/lines/{id}/verification");
    idempotent(
        &state,
        &caller,
        &headers,
        (&Method::POST, &path, &body),
        || async {
            let Some(id) = parse_id(&id) else {
                return not_found();
            };
            let json: Verification = match parse_body(&headers, &body) {
                Ok(a) => a,
                Err(res) => return *res,
            };
            let today = app::domain::answers::today_in_japan();
            let answer = match json.into_answer(today) {
                Ok(a) => a,
                Err(errors) => return invalid_fields(&errors, &[]),
            };
            if let Err(e) = bank_review::verify_line(&state, &caller.user, id, &answer).await {
                return from_app_error(e, &[]);
            }
            match api_keys::line_at_bank(&state.db, caller.bank(), id).await {
                Ok(Some(line)) => Json(Line::from(line)).into_response(),
                Ok(None) => not_found(),
                Err(_) => unavailable(),
            }
        },
    )
    .await
}
