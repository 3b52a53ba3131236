//! The business records a case can hold beside its customers: accounts
//! (ECM guide 4.11), external entities (4.13) and transactions (4.15), with
//! every field the vendor documents, and the references that remove them
//! (4.12, 4.14, 4.16).
//!
//! As with customers, the same type is read from a request, loaded into the
//! bank's business records, and written back when a case is read: every
//! field sent comes back as sent, a field not sent as `null`. Undocumented
//! fields are refused, naming the field.

use super::values::{Id, LongText, Number, ShortText};
use domain::{DateTimeSeconds, YesNo};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The three kinds of business record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
pub enum RecordKind {
    /// An account (`accountId`).
    #[serde(rename = "account")]
    Account,
    /// An external entity (`externalEntity`).
    #[serde(rename = "externalEntity")]
    ExternalEntity,
    /// A transaction (`transactionReferenceId`).
    #[serde(rename = "transaction")]
    Transaction,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::Account, Self::ExternalEntity, Self::Transaction];

    /// The name it is stored and shown under.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::ExternalEntity => "externalEntity",
            Self::Transaction => "transaction",
        }
    }

    /// The vendor's singular word (`"... does not exist in business."`).
    pub fn word(self) -> &'static str {
        match self {
            Self::Account => "Account",
            Self::ExternalEntity => "External Entity",
            Self::Transaction => "Transaction",
        }
    }
}

/// A business record of any kind: what the bank loads, and what a case
/// holds.
pub trait Record: Serialize + for<'de> Deserialize<'de> + Clone {
    /// Its kind.
    const KIND: RecordKind;

    /// Its id.
    fn id(&self) -> &str;

    /// Its type code, where its kind has one (external entities and
    /// transactions).
    fn type_code(&self) -> Option<&str> {
        None
    }

    /// Whether it is to be taken from the bank's business records.
    fn wants_business(&self) -> bool;

    /// Why it is refused though it parsed: the rules serde cannot check,
    /// as the field at fault and what is wrong with it.
    fn violation(&self) -> Option<(&'static str, String)> {
        None
    }
}

/// An account (ECM guide 4.11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    /// The account's identifier.
    #[schema(example = "ACCT-123")]
    pub account_id: Id,
    /// `Y`: take the account from the bank's business records (the
    /// request's fields, where sent, are kept as sent); `N` (or absent):
    /// the request's fields are the account.
    #[serde(default)]
    pub business_add: Option<YesNo>,
    /// The account's name.
    #[serde(default)]
    pub account_name: Option<LongText>,
    /// The account's first type.
    #[serde(default)]
    pub type1: Option<ShortText>,
    /// The account's second type.
    #[serde(default)]
    pub type2: Option<ShortText>,
    /// The registration type.
    #[serde(default)]
    pub registration_type: Option<ShortText>,
    /// The owner type code.
    #[serde(default)]
    pub owner_type_code: Option<ShortText>,
    /// The tax id's format code.
    #[serde(default)]
    pub tax_id_format_code: Option<ShortText>,
    /// The tax id.
    #[serde(default)]
    pub tax_id: Option<ShortText>,
    /// The firm id.
    #[serde(default)]
    pub firm_id: Option<ShortText>,
    /// Whether tax is withheld (`Y`/`N`).
    #[serde(default)]
    pub tax_with_hold_code: Option<YesNo>,
    /// Jurisdiction code.
    #[serde(default)]
    pub jurisdiction_code: Option<ShortText>,
    /// Business domain code.
    #[serde(default)]
    pub business_domain_code: Option<ShortText>,
    /// The household group id.
    #[serde(default)]
    pub house_hold_group_id: Option<ShortText>,
    /// The legal entity.
    #[serde(default)]
    pub legal_entity: Option<ShortText>,
    /// When the account was opened, `YYYY-MM-DD HH:MM:SS`.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2020-01-15 09:30:00")]
    pub open_date: Option<DateTimeSeconds>,
    /// When the account was closed, `YYYY-MM-DD HH:MM:SS`.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2024-06-30 17:00:00")]
    pub close_date: Option<DateTimeSeconds>,
}

impl Record for Account {
    const KIND: RecordKind = RecordKind::Account;

    fn id(&self) -> &str {
        self.account_id.as_str()
    }

    fn wants_business(&self) -> bool {
        self.business_add.is_some_and(|b| b.is_yes())
    }

    fn violation(&self) -> Option<(&'static str, String)> {
        match (&self.open_date, &self.close_date) {
            (Some(open), Some(close)) if close < open => {
                Some(("closeDate", "must not be before openDate".to_owned()))
            }
            _ => None,
        }
    }
}

/// Where an external entity can be reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactInformation {
    /// Address line 1.
    #[serde(default)]
    pub address_line1: Option<LongText>,
    /// Address line 2.
    #[serde(default)]
    pub address_line2: Option<LongText>,
    /// Address line 3.
    #[serde(default)]
    pub address_line3: Option<LongText>,
    /// City.
    #[serde(default)]
    pub city: Option<LongText>,
    /// State or province code.
    #[serde(default)]
    pub state_code: Option<ShortText>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<ShortText>,
    /// Country code.
    #[serde(default)]
    pub country_code: Option<ShortText>,
}

/// An external entity: a party outside the bank that the case's activity
/// touches (ECM guide 4.13).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalEntity {
    /// The external entity's identifier.
    #[schema(example = "ACFTNETRSTACO1X")]
    pub external_entity: Id,
    /// `Y`: take it from the bank's business records; `N` (or absent): the
    /// request's fields are the entity.
    #[serde(default)]
    pub business_add: Option<YesNo>,
    /// Its type code (`XA`, ...).
    #[serde(default)]
    #[schema(example = "XA")]
    pub external_entity_type_code: Option<ShortText>,
    /// When it was last active, `YYYY-MM-DD HH:MM:SS`.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2024-03-01 12:00:00")]
    pub last_activity_date: Option<DateTimeSeconds>,
    /// Its risk rating.
    #[serde(default)]
    pub risk_rating: Option<Number>,
    /// Jurisdiction code.
    #[serde(default)]
    pub jurisdiction_code: Option<ShortText>,
    /// Business domain code.
    #[serde(default)]
    pub business_domain_code: Option<ShortText>,
    /// The institution.
    #[serde(default)]
    pub institution: Option<ShortText>,
    /// The institution's name.
    #[serde(default)]
    pub institution_name: Option<LongText>,
    /// The institution's id.
    #[serde(default)]
    pub institution_id: Option<ShortText>,
    /// Where it can be reached.
    #[serde(default, deserialize_with = "super::values::optional_object")]
    pub contact_information: Option<ContactInformation>,
}

impl Record for ExternalEntity {
    const KIND: RecordKind = RecordKind::ExternalEntity;

    fn id(&self) -> &str {
        self.external_entity.as_str()
    }

    fn type_code(&self) -> Option<&str> {
        self.external_entity_type_code
            .as_ref()
            .map(ShortText::as_str)
    }

    fn wants_business(&self) -> bool {
        self.business_add.is_some_and(|b| b.is_yes())
    }
}

/// The kinds of transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum TransactionType {
    /// Back office.
    #[serde(rename = "B")]
    BackOffice,
    /// Cash.
    #[serde(rename = "C")]
    Cash,
    /// Monetary instrument.
    #[serde(rename = "M")]
    MonetaryInstrument,
    /// Funds transfer (wire).
    #[serde(rename = "W")]
    Wire,
}

impl TransactionType {
    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            Self::BackOffice => "B",
            Self::Cash => "C",
            Self::MonetaryInstrument => "M",
            Self::Wire => "W",
        }
    }
}

/// A transaction (ECM guide 4.15). Some fields apply only to some types:
/// the guide's rules are enforced, and a field sent for a type it does not
/// apply to is refused, naming the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Transaction {
    /// The transaction's identifier.
    #[schema(example = "BOTRXNCSTLOSSSEVHH004")]
    pub transaction_reference_id: Id,
    /// `Y`: take it from the bank's business records; `N` (or absent): the
    /// request's fields are the transaction.
    #[serde(default)]
    pub business_add: Option<YesNo>,
    /// `B` back office, `C` cash, `M` monetary instrument, `W` funds
    /// transfer.
    #[serde(default)]
    pub transaction_type_code: Option<TransactionType>,
    /// The account (back office and cash only).
    #[serde(default)]
    pub account_id: Option<ShortText>,
    /// The offset account (back office only).
    #[serde(default)]
    pub offset_account_id: Option<ShortText>,
    /// The security (back office only).
    #[serde(default)]
    pub security_id: Option<ShortText>,
    /// The quantity (back office only).
    #[serde(default)]
    pub quantity: Option<Number>,
    /// When it happened, `YYYY-MM-DD HH:MM:SS` (back office, cash and
    /// funds transfer).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2024-03-01 12:00:00")]
    pub transaction_date_time: Option<DateTimeSeconds>,
    /// `D` debit or `C` credit (back office and cash only); `""` is none,
    /// as ECM clients write it.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^[DC]?$")]
    pub debit_or_credit_code: Option<ShortText>,
    /// The amount, in the base currency.
    #[serde(default)]
    pub base_amount: Option<Number>,
}

impl Record for Transaction {
    const KIND: RecordKind = RecordKind::Transaction;

    fn id(&self) -> &str {
        self.transaction_reference_id.as_str()
    }

    fn type_code(&self) -> Option<&str> {
        self.transaction_type_code.map(TransactionType::code)
    }

    fn wants_business(&self) -> bool {
        self.business_add.is_some_and(|b| b.is_yes())
    }

    fn violation(&self) -> Option<(&'static str, String)> {
        use TransactionType::{BackOffice, Cash, Wire};
        if !matches!(
            self.debit_or_credit_code.as_ref().map(ShortText::as_str),
            None | Some("D" | "C" | "")
        ) {
            return Some(("debitOrCreditCode", "must be D or C".to_owned()));
        }
        let kind = self.transaction_type_code?;
        let applies = |field: &'static str, sent: bool, types: &[TransactionType], which: &str| {
            (sent && !types.contains(&kind))
                .then(|| (field, format!("applies only to {which} transactions")))
        };
        applies(
            "accountId",
            self.account_id.is_some(),
            &[BackOffice, Cash],
            "back office and cash",
        )
        .or_else(|| {
            applies(
                "offsetAccountId",
                self.offset_account_id.is_some(),
                &[BackOffice],
                "back office",
            )
        })
        .or_else(|| {
            applies(
                "securityId",
                self.security_id.is_some(),
                &[BackOffice],
                "back office",
            )
        })
        .or_else(|| {
            applies(
                "quantity",
                self.quantity.is_some(),
                &[BackOffice],
                "back office",
            )
        })
        .or_else(|| {
            applies(
                "transactionDateTime",
                self.transaction_date_time.is_some(),
                &[BackOffice, Cash, Wire],
                "back office, cash and funds transfer",
            )
        })
        .or_else(|| {
            applies(
                "debitOrCreditCode",
                self.debit_or_credit_code.is_some(),
                &[BackOffice, Cash],
                "back office and cash",
            )
        })
    }
}

/// An account of `removeAccount`: its id, nothing else.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountRef {
    /// The account to remove.
    #[schema(example = "ACCT-123")]
    pub account_id: Id,
}

/// An external entity of `removeExternalEntity`: its id, and its type code
/// (when sent, it must match the one on the case).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalEntityRef {
    /// The external entity to remove.
    #[schema(example = "ACFTNETRSTACO1X")]
    pub external_entity: Id,
    /// Its type code.
    #[serde(default)]
    #[schema(example = "XA")]
    pub external_entity_type_code: Option<ShortText>,
}

/// A transaction of `removeTransaction`: its id, and its type code (when
/// sent, it must match the one on the case).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransactionRef {
    /// The transaction to remove.
    #[schema(example = "BOTRXNCSTLOSSSEVHH004")]
    pub transaction_reference_id: Id,
    /// Its type code.
    #[serde(default)]
    #[schema(example = "B")]
    pub transaction_type_code: Option<TransactionType>,
}

/// A reference to a record of a case, as a removal carries it.
pub trait RecordRef: for<'de> Deserialize<'de> {
    /// The kind it refers to.
    const KIND: RecordKind;

    /// The record's id.
    fn id(&self) -> &str;

    /// The type code it names, if any.
    fn type_code(&self) -> Option<&str> {
        None
    }
}

impl RecordRef for AccountRef {
    const KIND: RecordKind = RecordKind::Account;

    fn id(&self) -> &str {
        self.account_id.as_str()
    }
}

impl RecordRef for ExternalEntityRef {
    const KIND: RecordKind = RecordKind::ExternalEntity;

    fn id(&self) -> &str {
        self.external_entity.as_str()
    }

    fn type_code(&self) -> Option<&str> {
        self.external_entity_type_code
            .as_ref()
            .map(ShortText::as_str)
    }
}

impl RecordRef for TransactionRef {
    const KIND: RecordKind = RecordKind::Transaction;

    fn id(&self) -> &str {
        self.transaction_reference_id.as_str()
    }

    fn type_code(&self) -> Option<&str> {
        self.transaction_type_code.map(TransactionType::code)
    }
}

/// One record as the bank loads it into its business records: an entry of
/// the bulk API, and a line of `onboarding import`'s JSON Lines:
/// `{"kind": "account", "record": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "kind", content = "record", deny_unknown_fields)]
pub enum BusinessRecord {
    /// An account.
    #[serde(rename = "account")]
    Account(Account),
    /// An external entity.
    #[serde(rename = "externalEntity")]
    ExternalEntity(ExternalEntity),
    /// A transaction.
    #[serde(rename = "transaction")]
    Transaction(Transaction),
}

/// An entry of a load as read first: its kind, and its record as sent. The
/// record is read by its kind afterwards ([`BusinessRecord::read`]): serde's
/// tagged enums buffer what they read, and buffered numbers lose the exact
/// text an amount is read from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    /// `account`, `externalEntity` or `transaction`.
    pub kind: RecordKind,
    /// The record's fields, unread.
    pub record: Box<serde_json::value::RawValue>,
}

impl BusinessRecord {
    /// Reads `entry`'s record by its kind; a refusal names the field within
    /// the record (`accountId`, `contactInformation.city`).
    pub fn read(entry: &RawEntry) -> Result<Self, service_kit::InputError> {
        use service_kit::body::parse_json;
        let text = entry.record.get().as_bytes();
        Ok(match entry.kind {
            RecordKind::Account => Self::Account(parse_json(text)?),
            RecordKind::ExternalEntity => Self::ExternalEntity(parse_json(text)?),
            RecordKind::Transaction => Self::Transaction(parse_json(text)?),
        })
    }

    /// Why it is refused though it parsed, as the field at fault (its path
    /// within the entry) and what is wrong with it.
    pub fn violation(&self) -> Option<(String, String)> {
        let found = match self {
            Self::Account(r) => r.violation(),
            Self::ExternalEntity(r) => r.violation(),
            Self::Transaction(r) => r.violation(),
        };
        found.map(|(field, message)| (format!("record.{field}"), message))
    }
}

/// Business records sorted by kind, ready to be stored.
#[derive(Debug, Clone, Default)]
pub struct BusinessRecords {
    /// The accounts.
    pub accounts: Vec<Account>,
    /// The external entities.
    pub external_entities: Vec<ExternalEntity>,
    /// The transactions.
    pub transactions: Vec<Transaction>,
}

impl BusinessRecords {
    /// Adds `record` to its kind's list.
    pub fn push(&mut self, record: BusinessRecord) {
        match record {
            BusinessRecord::Account(r) => self.accounts.push(r),
            BusinessRecord::ExternalEntity(r) => self.external_entities.push(r),
            BusinessRecord::Transaction(r) => self.transactions.push(r),
        }
    }

    /// How many records there are.
    pub fn len(&self) -> usize {
        self.accounts.len() + self.external_entities.len() + self.transactions.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the bulk API answers: how many records of each kind were loaded.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Loaded {
    /// Accounts loaded.
    pub accounts: usize,
    /// External entities loaded.
    pub external_entities: usize,
    /// Transactions loaded.
    pub transactions: usize,
}

impl From<&BusinessRecords> for Loaded {
    fn from(records: &BusinessRecords) -> Self {
        Self {
            accounts: records.accounts.len(),
            external_entities: records.external_entities.len(),
            transactions: records.transactions.len(),
        }
    }
}
