//! Who a user is to the product.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Claimant,
    BankStaff,
    Reviewer,
    Approver,
    Payments,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Claimant,
        Role::BankStaff,
        Role::Reviewer,
        Role::Approver,
        Role::Payments,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Claimant => "claimant",
            Role::BankStaff => "bank_staff",
            Role::Reviewer => "reviewer",
            Role::Approver => "approver",
            Role::Payments => "payments",
            Role::Admin => "admin",
        }
    }

    /// The stored text back (what the database decoder uses).
    pub fn from_stored(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn parse(input: &str) -> Result<Role, &'static str> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == input.trim())
            .ok_or("role_invalid")
    }

    /// Staff of the operator: they work the case queue.
    pub fn is_operator(self) -> bool {
        matches!(
            self,
            Role::Reviewer | Role::Approver | Role::Payments | Role::Admin
        )
    }

    pub fn is_staff(self) -> bool {
        self != Role::Claimant
    }

    /// How long a session may sit idle: staff hold more, so they get less.
    pub fn idle_timeout_minutes(self) -> i64 {
        if self.is_staff() { 30 } else { 120 }
    }

    /// Where a user lands after logging in.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::Claimant => "/claims",
            Role::BankStaff => "/bank/queue",
            Role::Admin => "/admin/banks",
            Role::Reviewer | Role::Approver | Role::Payments => "/staff/queue",
        }
    }
}

#[cfg(feature = "server")]
stored_as_text!(Role);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_timeouts() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("root").is_err());
        assert_eq!(Role::Claimant.idle_timeout_minutes(), 120);
        assert_eq!(Role::BankStaff.idle_timeout_minutes(), 30);
        assert!(!Role::BankStaff.is_operator());
        assert!(Role::Reviewer.is_operator());
    }
}
