//! The rows of a customer's lists (addresses, phones, emails, accounts,
//! online accounts, anticipatory profiles): one table each, one row per
//! entry, `position` keeping the order they were sent in.
//!
//! Personal values are sealed, each bound to its table, column and entry
//! (`rows::sealed`): address lines, city, state, postal code and region;
//! phone and extension numbers; email addresses; account ids, online
//! account ids and user ids; the anticipated amounts (exact decimal text).
//! Codes, dates, counts and positions stay plain.

use super::decimal::{get_number, put_number, StoredNumber};
use super::sealed::{self, Sealed};
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
use service_kit::Keyring;
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
            fn sealed<'k>(&self, keyring: &'k Keyring) -> Sealed<'k> {
                Sealed::entry(keyring, &self.case_id, &self.customer_id, self.position)
            }
        }
    };
}

/// A row that belongs to one customer.
pub trait Owned {
    /// The customer it belongs to.
    fn customer_id(&self) -> &str;
    /// Seals and opens its values.
    fn sealed<'k>(&self, keyring: &'k Keyring) -> Sealed<'k>;
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
        profile_metric_code: Option<String>, average_transaction_amount: Option<String>,
        debit_or_credit_code: Option<String>, total_amount: Option<String>,
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

/// A phone's digits as stored: the text sealed as `column`, its form plain.
fn digits(
    sealed: &Sealed<'_>,
    column: &str,
    d: &Option<Digits>,
) -> (Option<String>, Option<String>) {
    match d {
        Some(d) => (
            Some(sealed.seal(column, d.text())),
            Some(d.form().as_str().to_owned()),
        ),
        None => (None, None),
    }
}

fn digits_of(
    sealed: &Sealed<'_>,
    column: &str,
    text: Option<String>,
    form: Option<String>,
) -> Result<Option<Digits>, Corrupt> {
    let text = sealed.get_text(column, text)?;
    match (text, form.as_deref().map(DigitsForm::parse)) {
        (Some(text), Some(Some(form))) => Ok(Some(Digits::new(text, form))),
        (None, None) => Ok(None),
        _ => Err(Corrupt("a phone number without its form".into())),
    }
}

/// The list rows of `customers` on `case_id`, customer by customer.
pub fn list_rows<'a>(
    keyring: &Keyring,
    case_id: &str,
    customers: impl IntoIterator<Item = &'a Customer>,
) -> ListRows {
    let mut rows = ListRows::default();
    for c in customers {
        rows.push(keyring, case_id, c);
    }
    rows
}

impl ListRows {
    /// Adds the list rows of `c` on `case_id`.
    fn push(&mut self, keyring: &Keyring, case_id: &str, c: &Customer) {
        let key = |i: usize| {
            let position = i32::try_from(i).expect("lists are capped at 100 entries");
            (
                case_id.to_owned(),
                c.customer_id.as_str().to_owned(),
                position,
            )
        };
        let sealed =
            |position: i32| Sealed::entry(keyring, case_id, c.customer_id.as_str(), position);
        self.addresses
            .extend(c.addresses.iter().enumerate().map(|(i, a)| {
                let (case_id, customer_id, position) = key(i);
                let s = sealed(position);
                AddressRow {
                    case_id,
                    customer_id,
                    position,
                    address_line1: s.put(ADDRESS_LINE1, &a.address_line1),
                    address_line2: s.put(ADDRESS_LINE2, &a.address_line2),
                    address_line3: s.put(ADDRESS_LINE3, &a.address_line3),
                    address_line4: s.put(ADDRESS_LINE4, &a.address_line4),
                    address_line5: s.put(ADDRESS_LINE5, &a.address_line5),
                    address_line6: s.put(ADDRESS_LINE6, &a.address_line6),
                    city: s.put(CITY, &a.city),
                    state: s.put(STATE, &a.state),
                    postal_code: s.put(POSTAL_CODE, &a.postal_code),
                    country_code: put(&a.country_code),
                    region_name: s.put(REGION_NAME, &a.region_name),
                    address_usage_code: put(&a.address_usage_code),
                }
            }));
        self.phones
            .extend(c.phones.iter().enumerate().map(|(i, p)| {
                let (case_id, customer_id, position) = key(i);
                let s = sealed(position);
                let (phone_number, phone_number_type) = digits(&s, PHONE_NUMBER, &p.phone_number);
                let (extension_number, extension_number_type) =
                    digits(&s, EXTENSION_NUMBER, &p.extension_number);
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
                    email_id: sealed(position).put(EMAIL_ID, &e.email_id),
                }
            }));
        self.accounts
            .extend(c.accounts.iter().enumerate().map(|(i, a)| {
                let (case_id, customer_id, position) = key(i);
                AccountRow {
                    case_id,
                    customer_id,
                    position,
                    account_id: sealed(position).put(ACCOUNT_ID, &a.account_id),
                    account_role_code: put(&a.account_role_code),
                }
            }));
        self.online_accounts
            .extend(c.online_accounts.iter().enumerate().map(|(i, o)| {
                let (case_id, customer_id, position) = key(i);
                let s = sealed(position);
                OnlineAccountRow {
                    case_id,
                    customer_id,
                    position,
                    online_account_id: s.put(ONLINE_ACCOUNT_ID, &o.online_account_id),
                    online_account_user_id: s.put(ONLINE_USER_ID, &o.online_account_user_id),
                    account_id: s.put(ONLINE_ACCOUNT_ACCOUNT_ID, &o.account_id),
                    relationship_date: put(&o.relationship_date),
                }
            }));
        self.profiles
            .extend(c.anticipatory_profiles.iter().enumerate().map(|(i, p)| {
                let (case_id, customer_id, position) = key(i);
                let s = sealed(position);
                ProfileRow {
                    case_id,
                    customer_id,
                    position,
                    profile_metric_code: put(&p.profile_metric_code),
                    average_transaction_amount: s
                        .put_number(AVERAGE_AMOUNT, p.average_transaction_amount),
                    debit_or_credit_code: put(&p.debit_or_credit_code),
                    total_amount: s.put_number(TOTAL_AMOUNT, p.total_amount),
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
pub fn attach(
    keyring: &Keyring,
    customers: &mut [Customer],
    rows: ListRows,
) -> Result<(), Corrupt> {
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
                let s = a.sealed(keyring);
                Ok(Address {
                    address_line1: s.get(ADDRESS_LINE1, a.address_line1)?,
                    address_line2: s.get(ADDRESS_LINE2, a.address_line2)?,
                    address_line3: s.get(ADDRESS_LINE3, a.address_line3)?,
                    address_line4: s.get(ADDRESS_LINE4, a.address_line4)?,
                    address_line5: s.get(ADDRESS_LINE5, a.address_line5)?,
                    address_line6: s.get(ADDRESS_LINE6, a.address_line6)?,
                    city: s.get(CITY, a.city)?,
                    state: s.get(STATE, a.state)?,
                    postal_code: s.get(POSTAL_CODE, a.postal_code)?,
                    country_code: get(a.country_code)?,
                    region_name: s.get(REGION_NAME, a.region_name)?,
                    address_usage_code: get(a.address_usage_code)?,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
        c.phones = phones
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let s = p.sealed(keyring);
                Ok(Phone {
                    phone_number: digits_of(&s, PHONE_NUMBER, p.phone_number, p.phone_number_type)?,
                    extension_number: digits_of(
                        &s,
                        EXTENSION_NUMBER,
                        p.extension_number,
                        p.extension_number_type,
                    )?,
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
                    email_id: e.sealed(keyring).get(EMAIL_ID, e.email_id)?,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
        c.accounts = accounts
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|a| {
                Ok(Account {
                    account_id: a.sealed(keyring).get(ACCOUNT_ID, a.account_id)?,
                    account_role_code: get(a.account_role_code)?,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
        c.online_accounts = online_accounts
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|o| {
                let s = o.sealed(keyring);
                Ok(OnlineAccount {
                    online_account_id: s.get(ONLINE_ACCOUNT_ID, o.online_account_id)?,
                    online_account_user_id: s.get(ONLINE_USER_ID, o.online_account_user_id)?,
                    account_id: s.get(ONLINE_ACCOUNT_ACCOUNT_ID, o.account_id)?,
                    relationship_date: get(o.relationship_date)?,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
        c.anticipatory_profiles = profiles
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let s = p.sealed(keyring);
                Ok(AnticipatoryProfile {
                    profile_metric_code: get(p.profile_metric_code)?,
                    average_transaction_amount: s
                        .get_number(AVERAGE_AMOUNT, p.average_transaction_amount)?,
                    debit_or_credit_code: get(p.debit_or_credit_code)?,
                    total_amount: s.get_number(TOTAL_AMOUNT, p.total_amount)?,
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

/// Sealed `case_customer_addresses` columns.
pub const ADDRESS_LINE1: &str = "case_customer_addresses.address_line1";
/// A sealed column.
pub const ADDRESS_LINE2: &str = "case_customer_addresses.address_line2";
/// A sealed column.
pub const ADDRESS_LINE3: &str = "case_customer_addresses.address_line3";
/// A sealed column.
pub const ADDRESS_LINE4: &str = "case_customer_addresses.address_line4";
/// A sealed column.
pub const ADDRESS_LINE5: &str = "case_customer_addresses.address_line5";
/// A sealed column.
pub const ADDRESS_LINE6: &str = "case_customer_addresses.address_line6";
/// A sealed column.
pub const CITY: &str = "case_customer_addresses.city";
/// A sealed column.
pub const STATE: &str = "case_customer_addresses.state";
/// A sealed column.
pub const POSTAL_CODE: &str = "case_customer_addresses.postal_code";
/// A sealed column.
pub const REGION_NAME: &str = "case_customer_addresses.region_name";
/// Sealed `case_customer_phones` columns.
pub const PHONE_NUMBER: &str = "case_customer_phones.phone_number";
/// A sealed column.
pub const EXTENSION_NUMBER: &str = "case_customer_phones.extension_number";
/// The sealed `case_customer_emails` column.
pub const EMAIL_ID: &str = "case_customer_emails.email_id";
/// The sealed `case_customer_accounts` column.
pub const ACCOUNT_ID: &str = "case_customer_accounts.account_id";
/// Sealed `case_customer_online_accounts` columns.
pub const ONLINE_ACCOUNT_ID: &str = "case_customer_online_accounts.online_account_id";
/// A sealed column.
pub const ONLINE_USER_ID: &str = "case_customer_online_accounts.online_account_user_id";
/// A sealed column.
pub const ONLINE_ACCOUNT_ACCOUNT_ID: &str = "case_customer_online_accounts.account_id";
/// Sealed `case_customer_anticipatory_profiles` columns.
pub const AVERAGE_AMOUNT: &str = "case_customer_anticipatory_profiles.average_transaction_amount";
/// A sealed column.
pub const TOTAL_AMOUNT: &str = "case_customer_anticipatory_profiles.total_amount";

/// A stored `column` of the list entry at `position` of `customer_id` on
/// `case_id`, sealed again under the active key (legacy plaintext as it is).
pub fn reseal(
    keyring: &Keyring,
    column: &str,
    (case_id, customer_id, position): &(String, String, i32),
    stored: &str,
) -> Result<String, Corrupt> {
    sealed::reseal(
        &Sealed::entry(keyring, case_id, customer_id, *position),
        column,
        stored,
    )
}
