//! The case database's tables, as diesel sees them.
#![allow(missing_docs)]

/// The column types diesel has no name for.
pub mod sql_types {
    /// An exact decimal: `NUMERIC` on PostgreSQL, its text on SQLite (whose
    /// numeric types would turn `0.1` into a double). Read and written as
    /// `wire::values::Number` through `rows::decimal`.
    #[derive(diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
    #[diesel(postgres_type(name = "numeric"))]
    #[diesel(sqlite_type(name = "Text"))]
    pub struct ExactNumber;
}

diesel::table! {
    cases (case_id) {
        case_id -> Text,
        case_type_code -> Nullable<Text>,
        case_description -> Nullable<Text>,
        case_status_code -> Text,
        status_changed_at -> Text,
        created_at -> Text,
        created_by -> Text,
        priority -> Nullable<Text>,
        due_date -> Nullable<Text>,
        application_id -> Nullable<Text>,
        assignee -> Nullable<Text>,
        assigned_at -> Nullable<Text>,
        focus_customer_id -> Nullable<Text>,
        priority_rank -> Nullable<Integer>,
    }
}

diesel::table! {
    case_customers (case_id, customer_id) {
        case_id -> Text,
        customer_id -> Text,
        business_add -> Nullable<Text>,
        customer_type_code -> Nullable<Text>,
        first_name -> Nullable<Text>,
        middle_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        customer_organization_name -> Nullable<Text>,
        tax_id_format_code -> Nullable<Text>,
        tax_id -> Nullable<Text>,
        date_of_birth -> Nullable<Text>,
        gender_code -> Nullable<Text>,
        marital_status_code -> Nullable<Text>,
        jurisdiction_code -> Nullable<Text>,
        business_domain_code -> Nullable<Text>,
        primary_citizenship_code -> Nullable<Text>,
        secondary_citizenship_code -> Nullable<Text>,
        legal_structure -> Nullable<Text>,
        residence_code -> Nullable<Text>,
        added_on -> Nullable<Text>,
        citizenship_status -> Nullable<Text>,
        occupation_code -> Nullable<Text>,
        customer_status_code -> Nullable<Text>,
        pep_flag_code -> Nullable<Text>,
        effective_risk -> Nullable<crate::schema::sql_types::ExactNumber>,
        business_risk -> Nullable<crate::schema::sql_types::ExactNumber>,
        list_risk -> Nullable<crate::schema::sql_types::ExactNumber>,
        geo_risk -> Nullable<crate::schema::sql_types::ExactNumber>,
        kyc_risk -> Nullable<crate::schema::sql_types::ExactNumber>,
        created_at -> Text,
        created_by -> Text,
    }
}

diesel::table! {
    case_customer_details (case_id, customer_id) {
        case_id -> Text,
        customer_id -> Text,
        estimated_net_worth -> Nullable<Text>,
        estimated_annual_income -> Nullable<Text>,
        estimated_liquid_net_worth -> Nullable<Text>,
        source_of_wealth -> Nullable<Text>,
        credit_rating -> Nullable<Text>,
        credit_rating_source -> Nullable<Text>,
        credit_score -> Nullable<Text>,
        assets_outside_of_us_code -> Nullable<Text>,
        is_employee_code -> Nullable<Text>,
        works_for_financial_institution_code -> Nullable<Text>,
        employer -> Nullable<Text>,
        is_broker_dealer_code -> Nullable<Text>,
        generic_information -> Nullable<Text>,
        identification_documents -> Nullable<Text>,
    }
}

diesel::table! {
    case_customer_addresses (case_id, customer_id, position) {
        case_id -> Text,
        customer_id -> Text,
        position -> Integer,
        address_line1 -> Nullable<Text>,
        address_line2 -> Nullable<Text>,
        address_line3 -> Nullable<Text>,
        address_line4 -> Nullable<Text>,
        address_line5 -> Nullable<Text>,
        address_line6 -> Nullable<Text>,
        city -> Nullable<Text>,
        state -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        country_code -> Nullable<Text>,
        region_name -> Nullable<Text>,
        address_usage_code -> Nullable<Text>,
    }
}

diesel::table! {
    case_customer_phones (case_id, customer_id, position) {
        case_id -> Text,
        customer_id -> Text,
        position -> Integer,
        phone_number -> Nullable<Text>,
        phone_number_type -> Nullable<Text>,
        extension_number -> Nullable<Text>,
        extension_number_type -> Nullable<Text>,
        phone_usage_code -> Nullable<Text>,
    }
}

diesel::table! {
    case_customer_emails (case_id, customer_id, position) {
        case_id -> Text,
        customer_id -> Text,
        position -> Integer,
        email_id -> Nullable<Text>,
    }
}

diesel::table! {
    case_customer_accounts (case_id, customer_id, position) {
        case_id -> Text,
        customer_id -> Text,
        position -> Integer,
        account_id -> Nullable<Text>,
        account_role_code -> Nullable<Text>,
    }
}

diesel::table! {
    case_customer_online_accounts (case_id, customer_id, position) {
        case_id -> Text,
        customer_id -> Text,
        position -> Integer,
        online_account_id -> Nullable<Text>,
        online_account_user_id -> Nullable<Text>,
        account_id -> Nullable<Text>,
        relationship_date -> Nullable<Text>,
    }
}

diesel::table! {
    case_customer_anticipatory_profiles (case_id, customer_id, position) {
        case_id -> Text,
        customer_id -> Text,
        position -> Integer,
        profile_metric_code -> Nullable<Text>,
        average_transaction_amount -> Nullable<Text>,
        debit_or_credit_code -> Nullable<Text>,
        total_amount -> Nullable<Text>,
        period_type_code -> Nullable<Text>,
        source_of_fund_country_code -> Nullable<Text>,
        average_transaction_count -> Nullable<crate::schema::sql_types::ExactNumber>,
        source_of_fund_institution_id -> Nullable<Text>,
    }
}

diesel::table! {
    case_audit (id) {
        id -> BigInt,
        case_id -> Text,
        at -> Text,
        actor -> Text,
        action -> Text,
        customer_id -> Nullable<Text>,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        record_id -> Nullable<Text>,
        event_code -> Nullable<Text>,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
        legacy_record_id -> Nullable<Text>,
        record_key -> Nullable<Text>,
    }
}

diesel::table! {
    /// SQLite only: PostgreSQL draws case numbers from `case_number_seq`.
    case_numbers (prefix) {
        prefix -> Text,
        last -> BigInt,
    }
}

diesel::table! {
    case_locks (case_id) {
        case_id -> Text,
        holder -> Text,
        taken_at -> Text,
        expires_at -> Text,
    }
}

diesel::table! {
    events (event_code) {
        event_code -> Text,
        case_id -> Nullable<Text>,
        event_score -> Nullable<Text>,
        data_origin -> Nullable<Text>,
        jurisdiction_code -> Nullable<Text>,
        business_domain -> Nullable<Text>,
        event_type -> Nullable<Text>,
        priority -> Nullable<Text>,
        scenario_class -> Nullable<Text>,
        comments -> Nullable<Text>,
        details -> Text,
        suppressed_by -> Nullable<BigInt>,
        event_decision_code -> Nullable<BigInt>,
        standard_comment_id -> Nullable<Text>,
        decision_comments -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Text>,
        created_at -> Text,
        created_by -> Text,
    }
}

diesel::table! {
    event_entities (event_code, position) {
        event_code -> Text,
        position -> Integer,
        entity_code -> Nullable<Text>,
        entity_type -> Nullable<Text>,
        entity_type_code -> Nullable<Text>,
        entity_name -> Nullable<Text>,
        jurisdiction -> Nullable<Text>,
        focus_flag -> Nullable<Text>,
        cust_id -> Nullable<Text>,
    }
}

diesel::table! {
    event_customers (event_code, customer_id) {
        event_code -> Text,
        customer_id -> Text,
        entities -> Text,
    }
}

diesel::table! {
    suppression_rules (id) {
        id -> BigInt,
        customer_id -> Text,
        scenario -> Text,
        domain -> Nullable<Text>,
        jurisdiction -> Nullable<Text>,
        event_code -> Nullable<Text>,
        case_id -> Nullable<Text>,
        status_code -> Text,
        expires_on -> Text,
        effective_on -> Nullable<Text>,
        created_at -> Text,
        created_by -> Text,
        decided_at -> Nullable<Text>,
        decided_by -> Nullable<Text>,
    }
}

diesel::table! {
    case_narratives (id) {
        id -> BigInt,
        case_id -> Text,
        narrative -> Text,
        created_at -> Text,
        created_by -> Text,
    }
}

diesel::table! {
    business_records (kind, record_key) {
        kind -> Text,
        record_key -> Text,
        record_id -> Text,
        details -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    case_records (case_id, kind, record_key) {
        case_id -> Text,
        kind -> Text,
        record_key -> Text,
        record_id -> Text,
        type_code -> Nullable<Text>,
        details -> Text,
        created_at -> Text,
        created_by -> Text,
    }
}

diesel::table! {
    /// A transaction's staging table for bulk loads on PostgreSQL: a
    /// temporary table, made for one transaction and dropped at its end.
    business_records_staging (kind, record_key) {
        kind -> Text,
        record_key -> Text,
        record_id -> Text,
        details -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    application_events (event_id) {
        event_id -> Text,
        application_id -> Text,
        kind -> Text,
        applied_at -> Text,
    }
}

diesel::table! {
    application_reviews (application_id, user_action_identifier) {
        application_id -> Text,
        user_action_identifier -> Text,
    }
}

diesel::table! {
    application_rm_requests (request_id) {
        request_id -> Text,
        application_id -> Text,
        message -> Text,
        requested_at -> Text,
    }
}

diesel::table! {
    case_evidence (case_id, document_id) {
        case_id -> Text,
        document_id -> Text,
        file_name -> Text,
        file_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        user_action_identifier -> Text,
        added_at -> Text,
        decision -> Nullable<Text>,
        comments -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Text>,
    }
}

diesel::table! {
    case_evidence_reviews (event_id) {
        event_id -> Text,
        case_id -> Text,
        document_id -> Text,
        decision -> Text,
        comments -> Nullable<Text>,
        actor -> Text,
        at -> Text,
    }
}

diesel::table! {
    outbox (seq) {
        seq -> BigInt,
        id -> Text,
        aggregate_id -> Text,
        kind -> Text,
        payload -> Text,
        request_id -> Nullable<Text>,
        created_at -> Text,
        delivered_at -> Nullable<Text>,
    }
}

diesel::table! {
    case_customer_names (case_id, customer_id, name_index) {
        case_id -> Text,
        customer_id -> Text,
        name_index -> Text,
    }
}

diesel::table! {
    case_recommendations (case_id) {
        case_id -> Text,
        status_code -> Text,
        recommended_by -> Text,
        recommended_at -> Text,
        comment -> Text,
    }
}

diesel::joinable!(case_customers -> cases (case_id));
diesel::joinable!(case_locks -> cases (case_id));
diesel::joinable!(case_narratives -> cases (case_id));
diesel::allow_tables_to_appear_in_same_query!(
    cases,
    case_customers,
    case_customer_names,
    case_locks
);
