//! The rows of a customer's lists (addresses, phones, emails, accounts,
//! online accounts, anticipatory profiles): one table each, one row per
//! entry, `position` keeping the order they were sent in.

use super::decimal::{get_number, put_number, StoredNumber};
use super::stored::{get, put, Corrupt};
use crate::schema::{
    case_customer_accounts, case_customer_addresses, case_customer_anticipatory_profiles,
    case_customer_emails, case_customer_online_accounts, case_customer_phones,
};
use crate::wire::customer::{
    Account, Address, AnticipatoryProfile, Customer, Email, OnlineAccount, Phone,
};
use crate::wire::values::{Digits, DigitsForm};
use diesel::prelude::*;
use std::collections::HashMap;

/// Declares a list table's row: the owner's key, the position, and `$field`s.
macro_rules! list_row {
    ($(#[$doc:meta])* $name:ident, $table:ident { $($field:ident: $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Queryable, Selectable, Insertable)]
        #[diesel(table_name = $table, treat_none_as_default_value = false)]
        pub struct $name {
            case_id: String,
            customer_id: String,
            position: i32,
            $($field: $ty,)*
        }

        impl Owned for $name {
            fn customer_id(&self) -> &str {
                &self.customer_id
            }
        }
    };
}

/// A row that belongs to one customer.
pub trait Owned {
    /// The customer it belongs to.
    fn customer_id(&self) -> &str;
}

list_row!(
    /// A `case_customer_addresses` row.
    AddressRow, case_customer_addresses {
        address_line1: Option<String>, address_line2: Option<String>,
        address_line3: Option<String>, address_line4: Option<String>,
        address_line5: Option<String>, address_line6: Option<String>,
        city: Option<String>, state: Option<String>, postal_code: Option<String>,
        country_code: Option<String>, region_name: Option<String>,
        address_usage_code: Option<String>,
    }
);
list_row!(
    /// A `case_customer_phones` row.
    PhoneRow, case_customer_phones {
        phone_number: Option<String>, phone_number_type: Option<String>,
        extension_number: Option<String>, extension_number_type: Option<String>,
        phone_usage_code: Option<String>,
    }
);
list_row!(
    /// A `case_customer_emails` row.
    EmailRow, case_customer_emails { email_id: Option<String> }
);
list_row!(
    /// A `case_customer_accounts` row.
    AccountRow, case_customer_accounts {
        account_id: Option<String>, account_role_code: Option<String>,
    }
);
list_row!(
    /// A `case_customer_online_accounts` row.
    OnlineAccountRow, case_customer_online_accounts {
        online_account_id: Option<String>, online_account_user_id: Option<String>,
        account_id: Option<String>, relationship_date: Option<String>,
    }
);
list_row!(
    /// A `case_customer_anticipatory_profiles` row.
    ProfileRow, case_customer_anticipatory_profiles {
        profile_metric_code: Option<String>, average_transaction_amount: Option<StoredNumber>,
        debit_or_credit_code: Option<String>, total_amount: Option<StoredNumber>,
        period_type_code: Option<String>, source_of_fund_country_code: Option<String>,
        average_transaction_count: Option<StoredNumber>, source_of_fund_institution_id: Option<String>,
    }
);

/// Every list row of one or more customers.
#[derive(Debug, Default)]
pub struct ListRows {
    /// Addresses.
    pub addresses: Vec<AddressRow>,
    /// Phones.
    pub phones: Vec<PhoneRow>,
    /// Emails.
    pub emails: Vec<EmailRow>,
    /// Accounts.
    pub accounts: Vec<AccountRow>,
    /// Online accounts.
    pub online_accounts: Vec<OnlineAccountRow>,
    /// Anticipatory profiles.
    pub profiles: Vec<ProfileRow>,
}

fn digits(d: &Option<Digits>) -> (Option<String>, Option<String>) {
    match d {
        Some(d) => (
            Some(d.text().to_owned()),
            Some(d.form().as_str().to_owned()),
        ),
        None => (None, None),
    }
}

fn digits_of(text: Option<String>, form: Option<String>) -> Result<Option<Digits>, Corrupt> {
    match (text, form.as_deref().map(DigitsForm::parse)) {
        (Some(text), Some(Some(form))) => Ok(Some(Digits::new(text, form))),
        (None, None) => Ok(None),
        _ => Err(Corrupt("a phone number without its form".into())),
    }
}

/// The list rows of `customers` on `case_id`, customer by customer.
pub fn list_rows<'a>(case_id: &str, customers: impl IntoIterator<Item = &'a Customer>) -> ListRows {
    let mut rows = ListRows::default();
    for c in customers {
        rows.push(case_id, c);
    }
    rows
}

impl ListRows {
    /// Adds the list rows of `c` on `case_id`.
    fn push(&mut self, case_id: &str, c: &Customer) {
        let key = |i: usize| {
            let position = i32::try_from(i).expect("lists are capped at 100 entries");
            (
                case_id.to_owned(),
                c.customer_id.as_str().to_owned(),
                position,
            )
        };
        self.addresses
            .extend(c.addresses.iter().enumerate().map(|(i, a)| {
                let (case_id, customer_id, position) = key(i);
                AddressRow {
                    case_id,
                    customer_id,
                    position,
                    address_line1: put(&a.address_line1),
                    address_line2: put(&a.address_line2),
                    address_line3: put(&a.address_line3),
                    address_line4: put(&a.address_line4),
                    address_line5: put(&a.address_line5),
                    address_line6: put(&a.address_line6),
                    city: put(&a.city),
                    state: put(&a.state),
                    postal_code: put(&a.postal_code),
                    country_code: put(&a.country_code),
                    region_name: put(&a.region_name),
                    address_usage_code: put(&a.address_usage_code),
                }
            }));
        self.phones
            .extend(c.phones.iter().enumerate().map(|(i, p)| {
                let (case_id, customer_id, position) = key(i);
                let (phone_number, phone_number_type) = digits(&p.phone_number);
                let (extension_number, extension_number_type) = digits(&p.extension_number);
                PhoneRow {
                    case_id,
                    customer_id,
                    position,
                    phone_number,
                    phone_number_type,
                    extension_number,
                    extension_number_type,
                    phone_usage_code: put(&p.phone_usage_code),
                }
            }));
        self.emails
            .extend(c.emails.iter().enumerate().map(|(i, e)| {
                let (case_id, customer_id, position) = key(i);
                EmailRow {
                    case_id,
                    customer_id,
                    position,
                    email_id: put(&e.email_id),
                }
            }));
        self.accounts
            .extend(c.accounts.iter().enumerate().map(|(i, a)| {
                let (case_id, customer_id, position) = key(i);
                AccountRow {
                    case_id,
                    customer_id,
                    position,
                    account_id: put(&a.account_id),
                    account_role_code: put(&a.account_role_code),
                }
            }));
        self.online_accounts
            .extend(c.online_accounts.iter().enumerate().map(|(i, o)| {
                let (case_id, customer_id, position) = key(i);
                OnlineAccountRow {
                    case_id,
                    customer_id,
                    position,
                    online_account_id: put(&o.online_account_id),
                    online_account_user_id: put(&o.online_account_user_id),
                    account_id: put(&o.account_id),
                    relationship_date: put(&o.relationship_date),
                }
            }));
        self.profiles
            .extend(c.anticipatory_profiles.iter().enumerate().map(|(i, p)| {
                let (case_id, customer_id, position) = key(i);
                ProfileRow {
                    case_id,
                    customer_id,
                    position,
                    profile_metric_code: put(&p.profile_metric_code),
                    average_transaction_amount: put_number(p.average_transaction_amount),
                    debit_or_credit_code: put(&p.debit_or_credit_code),
                    total_amount: put_number(p.total_amount),
                    period_type_code: put(&p.period_type_code),
                    source_of_fund_country_code: put(&p.source_of_fund_country_code),
                    average_transaction_count: put_number(p.average_transaction_count),
                    source_of_fund_institution_id: put(&p.source_of_fund_institution_id),
                }
            }));
    }
}

/// Splits rows by customer, keeping their order.
fn by_customer<T: Owned>(rows: Vec<T>) -> HashMap<String, Vec<T>> {
    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        grouped
            .entry(row.customer_id().to_owned())
            .or_default()
            .push(row);
    }
    grouped
}

/// Gives each customer its list entries from `rows` (loaded in position
/// order).
pub fn attach(customers: &mut [Customer], rows: ListRows) -> Result<(), Corrupt> {
    let mut addresses = by_customer(rows.addresses);
    let mut phones = by_customer(rows.phones);
    let mut emails = by_customer(rows.emails);
    let mut accounts = by_customer(rows.accounts);
    let mut online_accounts = by_customer(rows.online_accounts);
    let mut profiles = by_customer(rows.profiles);
    for c in customers.iter_mut() {
        let id = c.customer_id.as_str();
        c.addresses = addresses
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|a| {
                Ok(Address {
                    address_line1: get(a.address_line1)?,
                    address_line2: get(a.address_line2)?,
                    address_line3: get(a.address_line3)?,
                    address_line4: get(a.address_line4)?,
                    address_line5: get(a.address_line5)?,
                    address_line6: get(a.address_line6)?,
                    city: get(a.city)?,
                    state: get(a.state)?,
                    postal_code: get(a.postal_code)?,
                    country_code: get(a.country_code)?,
                    region_name: get(a.region_name)?,
                    address_usage_code: get(a.address_usage_code)?,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
        c.phones = phones
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                Ok(Phone {
                    phone_number: digits_of(p.phone_number, p.phone_number_type)?,
                    extension_number: digits_of(p.extension_number, p.extension_number_type)?,
                    phone_usage_code: get(p.phone_usage_code)?,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
        c.emails = emails
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                Ok(Email {
                    email_id: get(e.email_id)?,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
        c.accounts = accounts
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|a| {
                Ok(Account {
                    account_id: get(a.account_id)?,
                    account_role_code: get(a.account_role_code)?,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
        c.online_accounts = online_accounts
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|o| {
                Ok(OnlineAccount {
                    online_account_id: get(o.online_account_id)?,
                    online_account_user_id: get(o.online_account_user_id)?,
                    account_id: get(o.account_id)?,
                    relationship_date: get(o.relationship_date)?,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
        c.anticipatory_profiles = profiles
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                Ok(AnticipatoryProfile {
                    profile_metric_code: get(p.profile_metric_code)?,
                    average_transaction_amount: get_number(p.average_transaction_amount),
                    debit_or_credit_code: get(p.debit_or_credit_code)?,
                    total_amount: get_number(p.total_amount),
                    period_type_code: get(p.period_type_code)?,
                    source_of_fund_country_code: get(p.source_of_fund_country_code)?,
                    average_transaction_count: get_number(p.average_transaction_count),
                    source_of_fund_institution_id: get(p.source_of_fund_institution_id)?,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
    }
    Ok(())
}
