//! The case workflow: every state, every action, and the one pure function
//! that says what an action by a role does to a case. Services apply it
//! (compare-and-set plus an event row); pages use it to offer only the
//! actions that are allowed.

use serde::{Deserialize, Serialize};

use super::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CaseState {
    Draft,
    Submitted,
    BankReview,
    InReview,
    AwaitingClaimant,
    Assessed,
    Approved,
    PayoutScheduled,
    Paid,
    PayoutFailed,
    Rejected,
    Withdrawn,
    ClosedDuplicate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    Submit,
    StartBankReview,
    BankChecked,
    RequestInfo,
    AnswerRequest,
    Assess,
    Approve,
    Reject,
    Appeal,
    Withdraw,
    CloseDuplicate,
    SchedulePayout,
    MarkPaid,
    MarkPayoutFailed,
    /// An approver returns an assessed case to the reviewer, with a reason.
    SendBack,
    /// An approver takes an approval back before any money moved (approved,
    /// or a failed transfer that will not be retried), with a reason: the
    /// case's debits are released and it is reviewed again.
    Reopen,
}

/// What the rules need to know about a case beyond its state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseFacts {
    /// The acting user is the one who assessed the case (four eyes).
    pub actor_assessed: bool,
    /// The acting user owns the case (for claimant actions).
    pub actor_is_claimant: bool,
    /// The case has been appealed before (only one appeal).
    pub appealed_before: bool,
    /// Whole days since the rejection (appeals within 30 days).
    pub days_since_rejection: i64,
    /// Every debit line has a bank answer.
    pub all_lines_answered: bool,
    /// Some automatic flag has not been acknowledged with a note.
    pub flags_open: bool,
    /// The acting user approved this assessment already (or edited its amounts).
    pub actor_approved: bool,
    /// The amount needs two approvers, and this would be the first approval.
    pub first_of_two: bool,
    /// The reviewer's assessment proposes to reject the claim.
    pub rejection_proposed: bool,
}

/// Why an action is refused, in words the page can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// The action does not apply in this state.
    NotInThisState,
    /// This role may not take this action.
    NotYourRole,
    /// Only the claimant of the case may do this.
    NotYourCase,
    /// The person who assessed a case cannot approve it.
    FourEyes,
    /// A case can be appealed once, within 30 days of the rejection.
    AppealClosed,
    /// The bank has not answered every debit line yet.
    BankNotDone,
    /// Every automatic flag must be acknowledged with a note first.
    FlagsOpen,
    /// The assessment proposes a rejection: it can be confirmed, not approved.
    RejectionProposed,
    /// Only a rejection the reviewer proposed can be confirmed.
    NoRejectionProposed,
}

pub const APPEAL_DAYS: i64 = 30;

/// Why an assessment may propose to reject a claim, in the form's order.
pub const REJECTION_REASONS: [&str; 7] = [
    "not_covered",
    "authorized_by_holder",
    "no_loss",
    "duplicate_claim",
    "insufficient_evidence",
    "compensated_elsewhere",
    "other",
];

impl CaseState {
    pub const ALL: [CaseState; 13] = [
        CaseState::Draft,
        CaseState::Submitted,
        CaseState::BankReview,
        CaseState::InReview,
        CaseState::AwaitingClaimant,
        CaseState::Assessed,
        CaseState::Approved,
        CaseState::PayoutScheduled,
        CaseState::Paid,
        CaseState::PayoutFailed,
        CaseState::Rejected,
        CaseState::Withdrawn,
        CaseState::ClosedDuplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Draft => "draft",
            CaseState::Submitted => "submitted",
            CaseState::BankReview => "bank_review",
            CaseState::InReview => "in_review",
            CaseState::AwaitingClaimant => "awaiting_claimant",
            CaseState::Assessed => "assessed",
            CaseState::Approved => "approved",
            CaseState::PayoutScheduled => "payout_scheduled",
            CaseState::Paid => "paid",
            CaseState::PayoutFailed => "payout_failed",
            CaseState::Rejected => "rejected",
            CaseState::Withdrawn => "withdrawn",
            CaseState::ClosedDuplicate => "closed_duplicate",
        }
    }

    pub fn parse(text: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The stored text back (what the database decoder uses).
    pub fn from_stored(text: &str) -> Option<CaseState> {
        CaseState::parse(text)
    }

    /// States whose flags can still change (a bank's answer, a new policy):
    /// a case moved into one has its flags computed again.
    pub fn flags_can_change(self) -> bool {
        matches!(
            self,
            CaseState::Submitted
                | CaseState::BankReview
                | CaseState::InReview
                | CaseState::AwaitingClaimant
                | CaseState::Assessed
        )
    }

    /// The states for which `keep` holds, as an SQL list: `('a', 'b')`.
    pub fn sql_list(keep: impl Fn(CaseState) -> bool) -> String {
        let names: Vec<String> = CaseState::ALL
            .into_iter()
            .filter(|s| keep(*s))
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        format!("({})", names.join(", "))
    }

    /// No action leads out of these.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CaseState::Paid | CaseState::Withdrawn | CaseState::ClosedDuplicate
        )
    }
}

impl Action {
    pub const ALL: [Action; 16] = [
        Action::Submit,
        Action::StartBankReview,
        Action::BankChecked,
        Action::RequestInfo,
        Action::AnswerRequest,
        Action::Assess,
        Action::Approve,
        Action::Reject,
        Action::Appeal,
        Action::Withdraw,
        Action::CloseDuplicate,
        Action::SchedulePayout,
        Action::MarkPaid,
        Action::MarkPayoutFailed,
        Action::SendBack,
        Action::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::StartBankReview => "start_bank_review",
            Action::BankChecked => "bank_checked",
            Action::RequestInfo => "request_info",
            Action::AnswerRequest => "answer_request",
            Action::Assess => "assess",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Appeal => "appeal",
            Action::Withdraw => "withdraw",
            Action::CloseDuplicate => "close_duplicate",
            Action::SchedulePayout => "schedule_payout",
            Action::MarkPaid => "mark_paid",
            Action::MarkPayoutFailed => "mark_payout_failed",
            Action::SendBack => "send_back",
            Action::Reopen => "reopen",
        }
    }

    /// The roles that may take this action (the system acts as `Admin` for
    /// the automatic steps).
    fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::Submit | Action::AnswerRequest | Action::Appeal | Action::Withdraw => {
                &[Claimant]
            }
            Action::StartBankReview | Action::BankChecked => &[Admin, BankStaff],
            Action::RequestInfo | Action::Assess => &[Reviewer, Admin],
            Action::Approve | Action::SendBack | Action::Reject | Action::Reopen => {
                &[Approver, Admin]
            }
            Action::CloseDuplicate => &[Reviewer, Admin],
            Action::SchedulePayout | Action::MarkPaid | Action::MarkPayoutFailed => &[Payments],
        }
    }
}

/// Who works on a case. Not a step of the workflow (the state stays), but
/// written to the history like one. One rule answers both the page (which
/// buttons) and the service (what it does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Assignment {
    /// A reviewer (or admin) takes a case nobody has.
    Take,
    /// The assignee (or an admin) gives the case back.
    Release,
    /// An admin gives the case to a reviewer.
    To,
}

impl Assignment {
    pub const ALL: [Assignment; 3] = [Assignment::Take, Assignment::Release, Assignment::To];

    /// The history's action.
    pub fn as_str(self) -> &'static str {
        match self {
            Assignment::Take => "assign_take",
            Assignment::Release => "assign_release",
            Assignment::To => "assign_to",
        }
    }

    /// The value a page's form sends.
    pub fn form_value(self) -> &'static str {
        &self.as_str()["assign_".len()..]
    }

    pub fn from_form(value: &str) -> Option<Assignment> {
        Assignment::ALL
            .into_iter()
            .find(|a| a.form_value() == value)
    }

    /// Whether a history action is an assignment (staff work, not shown
    /// on the claimant's timeline).
    pub fn is_assignment(action: &str) -> bool {
        Assignment::ALL.into_iter().any(|a| a.as_str() == action)
    }

    /// Whether `actor` may do this when the case's assignee is `assignee`
    /// (`Some(true)`: the actor themself; `None`: nobody).
    pub fn allowed(self, actor: Role, assignee: Option<bool>) -> bool {
        let admin = actor == Role::Admin;
        match self {
            Assignment::Take => matches!(actor, Role::Reviewer | Role::Admin) && assignee.is_none(),
            Assignment::Release => assignee == Some(true) || (admin && assignee.is_some()),
            Assignment::To => admin,
        }
    }
}

/// The next state of a case in `state` when `actor` takes `action`, or why not.
pub fn next_state(
    state: CaseState,
    action: Action,
    actor: Role,
    facts: &CaseFacts,
) -> Result<CaseState, Refusal> {
    use CaseState as S;
    let target = match (action, state) {
        (Action::Submit, S::Draft) => S::Submitted,
        (Action::StartBankReview, S::Submitted) => S::BankReview,
        (Action::BankChecked, S::BankReview) => S::InReview,
        (Action::RequestInfo, S::InReview) => S::AwaitingClaimant,
        (Action::AnswerRequest, S::AwaitingClaimant) => S::InReview,
        (Action::Assess, S::InReview) => S::Assessed,
        (Action::Approve, S::Assessed) if facts.first_of_two => S::Assessed,
        (Action::Approve, S::Assessed) => S::Approved,
        (Action::SendBack, S::Assessed) => S::InReview,
        (Action::Reject, S::Assessed) => S::Rejected,
        (Action::Appeal, S::Rejected) => S::InReview,
        (
            Action::Withdraw,
            S::Submitted | S::BankReview | S::InReview | S::AwaitingClaimant | S::Assessed,
        ) => S::Withdrawn,
        (
            Action::CloseDuplicate,
            S::Submitted | S::BankReview | S::InReview | S::AwaitingClaimant,
        ) => S::ClosedDuplicate,
        (Action::SchedulePayout, S::Approved | S::PayoutFailed) => S::PayoutScheduled,
        (Action::MarkPaid, S::PayoutScheduled) => S::Paid,
        (Action::MarkPayoutFailed, S::PayoutScheduled) => S::PayoutFailed,
        (Action::Reopen, S::Approved | S::PayoutFailed) => S::InReview,
        _ => return Err(Refusal::NotInThisState),
    };
    if !action.roles().contains(&actor) {
        return Err(Refusal::NotYourRole);
    }
    if actor == Role::Claimant && !facts.actor_is_claimant {
        return Err(Refusal::NotYourCase);
    }
    match action {
        Action::Approve | Action::SendBack | Action::Reject
            if facts.actor_assessed || facts.actor_approved =>
        {
            Err(Refusal::FourEyes)
        }
        Action::Approve if facts.rejection_proposed => Err(Refusal::RejectionProposed),
        Action::Reject if !facts.rejection_proposed => Err(Refusal::NoRejectionProposed),
        Action::Assess if facts.flags_open => Err(Refusal::FlagsOpen),
        Action::Appeal if facts.appealed_before || facts.days_since_rejection > APPEAL_DAYS => {
            Err(Refusal::AppealClosed)
        }
        Action::BankChecked if !facts.all_lines_answered => Err(Refusal::BankNotDone),
        _ => Ok(target),
    }
}

/// The actions `actor` may take on a case now (what a page offers).
pub fn allowed_actions(state: CaseState, actor: Role, facts: &CaseFacts) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| next_state(state, *a, actor, facts).is_ok())
        .collect()
}

#[cfg(feature = "server")]
stored_as_text!(CaseState);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn owner() -> CaseFacts {
        CaseFacts {
            actor_is_claimant: true,
            all_lines_answered: true,
            ..CaseFacts::default()
        }
    }

    /// The whole table, written out once more by hand: (state, action, role) that succeed.
    fn expected(state: CaseState, action: Action, role: Role) -> Option<CaseState> {
        use Action as A;
        use CaseState as S;
        use Role as R;
        let ok = |roles: &[Role]| roles.contains(&role);
        match (state, action) {
            (S::Draft, A::Submit) if ok(&[R::Claimant]) => Some(S::Submitted),
            (S::Submitted, A::StartBankReview) if ok(&[R::Admin, R::BankStaff]) => {
                Some(S::BankReview)
            }
            (S::BankReview, A::BankChecked) if ok(&[R::Admin, R::BankStaff]) => Some(S::InReview),
            (S::InReview, A::RequestInfo) if ok(&[R::Reviewer, R::Admin]) => {
                Some(S::AwaitingClaimant)
            }
            (S::AwaitingClaimant, A::AnswerRequest) if ok(&[R::Claimant]) => Some(S::InReview),
            (S::InReview, A::Assess) if ok(&[R::Reviewer, R::Admin]) => Some(S::Assessed),
            (S::Assessed, A::Approve) if ok(&[R::Approver, R::Admin]) => Some(S::Approved),
            (S::Assessed, A::SendBack) if ok(&[R::Approver, R::Admin]) => Some(S::InReview),
            (S::Rejected, A::Appeal) if ok(&[R::Claimant]) => Some(S::InReview),
            (
                S::Submitted | S::BankReview | S::InReview | S::AwaitingClaimant | S::Assessed,
                A::Withdraw,
            ) if ok(&[R::Claimant]) => Some(S::Withdrawn),
            (
                S::Submitted | S::BankReview | S::InReview | S::AwaitingClaimant,
                A::CloseDuplicate,
            ) if ok(&[R::Reviewer, R::Admin]) => Some(S::ClosedDuplicate),
            (S::Approved | S::PayoutFailed, A::SchedulePayout) if ok(&[R::Payments]) => {
                Some(S::PayoutScheduled)
            }
            (S::PayoutScheduled, A::MarkPaid) if ok(&[R::Payments]) => Some(S::Paid),
            (S::PayoutScheduled, A::MarkPayoutFailed) if ok(&[R::Payments]) => {
                Some(S::PayoutFailed)
            }
            (S::Approved | S::PayoutFailed, A::Reopen) if ok(&[R::Approver, R::Admin]) => {
                Some(S::InReview)
            }
            _ => None,
        }
    }

    #[test]
    fn assignment_rules() {
        use Assignment as A;
        for role in Role::ALL {
            let staff_reviewer = matches!(role, Role::Reviewer | Role::Admin);
            assert_eq!(A::Take.allowed(role, None), staff_reviewer, "{role:?}");
            assert!(!A::Take.allowed(role, Some(true)));
            assert!(!A::Take.allowed(role, Some(false)));
            assert!(A::Release.allowed(role, Some(true)));
            assert_eq!(A::Release.allowed(role, Some(false)), role == Role::Admin);
            assert!(!A::Release.allowed(role, None));
            assert_eq!(A::To.allowed(role, None), role == Role::Admin);
        }
        for a in A::ALL {
            assert_eq!(A::from_form(a.form_value()), Some(a));
            assert!(A::is_assignment(a.as_str()));
        }
        assert!(Action::ALL.iter().all(|a| !A::is_assignment(a.as_str())));
    }

    #[test]
    fn the_sql_list_of_open_states_comes_from_the_enum() {
        assert_eq!(
            CaseState::sql_list(CaseState::flags_can_change),
            "('submitted', 'bank_review', 'in_review', 'awaiting_claimant', 'assessed')"
        );
    }

    #[test]
    fn every_state_action_and_role() {
        let mut allowed = 0;
        for state in CaseState::ALL {
            for action in Action::ALL {
                for role in Role::ALL {
                    let got = next_state(state, action, role, &owner()).ok();
                    assert_eq!(
                        got,
                        expected(state, action, role),
                        "{state:?} {action:?} {role:?}"
                    );
                    allowed += got.is_some() as usize;
                }
            }
        }
        assert_eq!(
            allowed, 36,
            "the number of allowed (state, action, role) triples"
        );
    }

    #[test]
    fn refusals_say_why() {
        let f = owner();
        assert_eq!(
            next_state(CaseState::Paid, Action::Withdraw, Role::Claimant, &f),
            Err(Refusal::NotInThisState)
        );
        assert_eq!(
            next_state(CaseState::Assessed, Action::Approve, Role::Reviewer, &f),
            Err(Refusal::NotYourRole)
        );
        let assessor = CaseFacts {
            actor_assessed: true,
            ..f
        };
        assert_eq!(
            next_state(
                CaseState::Assessed,
                Action::Approve,
                Role::Approver,
                &assessor
            ),
            Err(Refusal::FourEyes)
        );
        let stranger = CaseFacts {
            actor_is_claimant: false,
            ..f
        };
        assert_eq!(
            next_state(
                CaseState::Submitted,
                Action::Withdraw,
                Role::Claimant,
                &stranger
            ),
            Err(Refusal::NotYourCase)
        );
        let late = CaseFacts {
            days_since_rejection: 31,
            ..f
        };
        assert_eq!(
            next_state(CaseState::Rejected, Action::Appeal, Role::Claimant, &late),
            Err(Refusal::AppealClosed)
        );
        let again = CaseFacts {
            appealed_before: true,
            ..f
        };
        assert_eq!(
            next_state(CaseState::Rejected, Action::Appeal, Role::Claimant, &again),
            Err(Refusal::AppealClosed)
        );
        // Whoever approved once, or edited the amounts, cannot approve again
        // or send back; a large case's first approval keeps it assessed.
        let approved = CaseFacts {
            actor_approved: true,
            ..f
        };
        for action in [Action::Approve, Action::SendBack] {
            assert_eq!(
                next_state(CaseState::Assessed, action, Role::Approver, &approved),
                Err(Refusal::FourEyes)
            );
        }
        let first = CaseFacts {
            first_of_two: true,
            ..f
        };
        assert_eq!(
            next_state(CaseState::Assessed, Action::Approve, Role::Approver, &first),
            Ok(CaseState::Assessed)
        );
        // A rejection is proposed by the assessment and confirmed by an
        // approver: never approved, never rejected without a proposal.
        let proposed = CaseFacts {
            rejection_proposed: true,
            ..f
        };
        assert_eq!(
            next_state(
                CaseState::Assessed,
                Action::Reject,
                Role::Approver,
                &proposed
            ),
            Ok(CaseState::Rejected)
        );
        assert_eq!(
            next_state(
                CaseState::Assessed,
                Action::Approve,
                Role::Approver,
                &proposed
            ),
            Err(Refusal::RejectionProposed)
        );
        assert_eq!(
            next_state(CaseState::Assessed, Action::Reject, Role::Approver, &f),
            Err(Refusal::NoRejectionProposed)
        );
        assert_eq!(
            next_state(
                CaseState::InReview,
                Action::Reject,
                Role::Reviewer,
                &proposed
            ),
            Err(Refusal::NotInThisState)
        );
        let assessor_rejects = CaseFacts {
            actor_assessed: true,
            ..proposed
        };
        assert_eq!(
            next_state(
                CaseState::Assessed,
                Action::Reject,
                Role::Admin,
                &assessor_rejects
            ),
            Err(Refusal::FourEyes)
        );
        let open = CaseFacts {
            flags_open: true,
            ..f
        };
        assert_eq!(
            next_state(CaseState::InReview, Action::Assess, Role::Reviewer, &open),
            Err(Refusal::FlagsOpen)
        );
        let pending = CaseFacts {
            all_lines_answered: false,
            ..f
        };
        assert_eq!(
            next_state(
                CaseState::BankReview,
                Action::BankChecked,
                Role::Admin,
                &pending
            ),
            Err(Refusal::BankNotDone)
        );
        assert_eq!(
            allowed_actions(CaseState::Submitted, Role::Claimant, &f),
            vec![Action::Withdraw],
            "a claimant can only withdraw a submitted claim"
        );
    }

    #[test]
    fn names_round_trip() {
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Some(s));
        }
        assert_eq!(CaseState::parse("nope"), None);
    }

    fn any_state() -> impl Strategy<Value = CaseState> {
        proptest::sample::select(CaseState::ALL.to_vec())
    }
    fn any_action() -> impl Strategy<Value = Action> {
        proptest::sample::select(Action::ALL.to_vec())
    }
    fn any_role() -> impl Strategy<Value = Role> {
        proptest::sample::select(Role::ALL.to_vec())
    }
    fn any_facts() -> impl Strategy<Value = CaseFacts> {
        (
            (any::<bool>(), any::<bool>(), any::<bool>()),
            0i64..400,
            (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
            any::<bool>(),
        )
            .prop_map(|((a, c, p), d, (l, o, r, f), j)| CaseFacts {
                actor_assessed: a,
                actor_is_claimant: c,
                appealed_before: p,
                days_since_rejection: d,
                all_lines_answered: l,
                flags_open: o,
                actor_approved: r,
                first_of_two: f,
                rejection_proposed: j,
            })
    }

    /// The (action, role, facts) that succeed from `state`: for each action,
    /// each role allowed to take it, with facts that let it through (a large
    /// case's first approval and its second are both offered).
    fn valid_steps(state: CaseState) -> Vec<(Action, Role, CaseFacts, CaseState)> {
        let mut out = Vec::new();
        for action in Action::ALL {
            for role in action.roles() {
                for first_of_two in [false, true] {
                    let facts = CaseFacts {
                        actor_is_claimant: true,
                        all_lines_answered: true,
                        rejection_proposed: action == Action::Reject,
                        first_of_two,
                        ..CaseFacts::default()
                    };
                    if let Ok(next) = next_state(state, action, *role, &facts) {
                        out.push((action, *role, facts, next));
                    }
                }
            }
        }
        out
    }

    /// The states a walk of valid steps passes through, each step chosen by
    /// the next choice among those `valid_steps` offers.
    fn valid_walk(choices: &[u16]) -> Vec<(CaseState, Action, CaseFacts)> {
        let mut state = CaseState::Draft;
        let mut seen = vec![(state, Action::Submit, CaseFacts::default())];
        for c in choices {
            let steps = valid_steps(state);
            if steps.is_empty() {
                break;
            }
            let (action, _, facts, next) = steps[*c as usize % steps.len()];
            state = next;
            seen.push((state, action, facts));
        }
        seen
    }

    /// Money moves only along the checked path: approved from assessed with
    /// the second approval, scheduled only once approved, paid only once
    /// scheduled, nothing after a final state.
    fn check_walk(seen: &[(CaseState, Action, CaseFacts)]) -> Result<(), String> {
        for pair in seen.windows(2) {
            let ((from, ..), (to, action, facts)) = (pair[0], pair[1]);
            if from.is_final() {
                return Err(format!("{action:?} left the final state {from:?}"));
            }
            match to {
                CaseState::Approved if from != CaseState::Assessed || facts.first_of_two => {
                    return Err(format!("approved from {from:?} ({facts:?})"));
                }
                CaseState::PayoutScheduled
                    if !matches!(from, CaseState::Approved | CaseState::PayoutFailed) =>
                {
                    return Err(format!("scheduled from {from:?}"));
                }
                CaseState::Paid if from != CaseState::PayoutScheduled => {
                    return Err(format!("paid from {from:?}"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Two thousand valid walks (a fixed sequence of choices): every end is
    /// reached, "paid" and "payout failed" among them, so the money checks
    /// above run on real paths, not on the 0.03 % a random walk reaches.
    #[test]
    fn valid_walks_reach_every_end() {
        let mut seed: u64 = 0x2020_0910;
        let mut reached = std::collections::HashSet::new();
        for _ in 0..2_000 {
            let choices: Vec<u16> = (0..60)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (seed >> 33) as u16
                })
                .collect();
            let walk = valid_walk(&choices);
            check_walk(&walk).unwrap();
            reached.extend(walk.iter().map(|(s, ..)| *s));
        }
        for state in CaseState::ALL {
            assert!(reached.contains(&state), "{state:?} never reached");
        }
    }

    proptest! {
        /// Walks of random actions: money moves only along the checked path.
        #[test]
        fn random_walks_keep_the_invariants(steps in proptest::collection::vec((any_action(), any_role(), any_facts()), 0..60)) {
            let mut state = CaseState::Draft;
            let mut seen = vec![state];
            for (action, role, facts) in steps {
                if let Ok(next) = next_state(state, action, role, &facts) {
                    prop_assert!(!state.is_final(), "left a final state");
                    if next == CaseState::Approved {
                        prop_assert_eq!(state, CaseState::Assessed);
                        prop_assert!(!facts.actor_assessed, "approved by its assessor");
                        prop_assert!(!facts.actor_approved, "approved twice by one person");
                        prop_assert!(!facts.first_of_two, "approved by one of two");
                    }
                    if next == CaseState::Rejected {
                        prop_assert!(facts.rejection_proposed, "rejected without a proposal");
                        prop_assert!(!facts.actor_assessed, "rejected by its assessor");
                    }
                    if next == CaseState::Assessed && state == CaseState::InReview {
                        prop_assert!(!facts.flags_open, "assessed with flags open");
                    }
                    if next == CaseState::Paid {
                        prop_assert!(seen.contains(&CaseState::Approved), "paid without approval");
                    }
                    state = next;
                    seen.push(state);
                }
            }
        }

        /// Walks of valid actions only (each step one the rules allow, with
        /// facts that let it through): they reach every end, and money moves
        /// only along the checked path.
        #[test]
        fn valid_walks_keep_the_invariants(choices in proptest::collection::vec(any::<u16>(), 0..80)) {
            let seen = valid_walk(&choices);
            check_walk(&seen).map_err(proptest::test_runner::TestCaseError::fail)?;
        }

        #[test]
        fn allowed_actions_agree_with_next_state(state in any_state(), role in any_role(), facts in any_facts()) {
            for action in Action::ALL {
                let offered = allowed_actions(state, role, &facts).contains(&action);
                prop_assert_eq!(offered, next_state(state, action, role, &facts).is_ok());
            }
        }
    }
}
