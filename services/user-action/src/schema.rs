//! The user-action database's tables, as diesel sees them.
#![allow(missing_docs)]

diesel::table! {
    applications (id) {
        id -> Text,
        owner_subject -> Text,
        main_party_id -> Text,
        status -> Text,
        branch_reference -> Nullable<Text>,
        section_progress -> Nullable<Text>,
        is_existing_customer -> Nullable<Text>,
        created_at -> Text,
        updated_at -> Text,
        revision -> BigInt,
        case_id -> Nullable<Text>,
        case_status -> Nullable<Text>,
    }
}

diesel::table! {
    applicants (entity_id) {
        entity_id -> Text,
        application_id -> Text,
        party_id -> Text,
        applicant_type -> Text,
        first_name -> Text,
        last_name -> Text,
        is_existent_member -> Nullable<Bool>,
        created_at -> Text,
        updated_at -> Text,
        sealed -> Bool,
    }
}

diesel::table! {
    user_actions (id) {
        id -> Text,
        identifier -> Text,
        application_id -> Text,
        name -> Text,
        party_id -> Text,
        entity_id -> Text,
        status -> Text,
        response -> Text,
        is_pre_requirement -> Bool,
        position -> Integer,
        last_update_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Text,
        updated_at -> Text,
        sealed -> Bool,
        review_comment -> Nullable<Text>,
    }
}

diesel::table! {
    action_documents (document_id) {
        document_id -> Text,
        action_id -> Text,
        file_name -> Text,
        file_type -> Text,
        file_info -> Text,
        file_client_id -> Nullable<Text>,
        created_at -> Text,
        size -> BigInt,
        sealed -> Bool,
        sha256 -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        application_id -> Text,
        subject -> Text,
        kind -> Text,
        target -> Text,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
        at -> Text,
    }
}

diesel::table! {
    idempotency_keys (owner_subject, operation, idem_key) {
        owner_subject -> Text,
        operation -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        response -> Nullable<Text>,
        created_at -> Text,
        sealed -> Bool,
    }
}

// The bytes of an application's documents are summed across its actions.
diesel::allow_tables_to_appear_in_same_query!(action_documents, user_actions);
// The retention purge skips applications whose trail records an erasure.
diesel::allow_tables_to_appear_in_same_query!(applications, audit_events);
// The applications' listing filters on their requests for help.
diesel::allow_tables_to_appear_in_same_query!(applications, rm_requests);

diesel::table! {
    intents (kind, id) {
        kind -> Text,
        id -> Text,
        owner_subject -> Text,
        created_at -> Text,
        swept_at -> Nullable<Text>,
    }
}

diesel::table! {
    rm_requests (id) {
        id -> Text,
        application_id -> Text,
        subject -> Text,
        message -> Text,
        case_id -> Nullable<Text>,
        created_at -> Text,
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
    applied_decisions (id) {
        id -> Text,
        application_id -> Text,
        kind -> Text,
        outcome -> Text,
        applied_at -> Text,
    }
}
