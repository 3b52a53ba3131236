"""Test data for `.ci/fuzz`.

Run as a script (`python3 .ci/fuzz_hooks.py BASE`), it creates, through the
real API, the records that operations on an existing resource need (a party,
a document, an ECM case with a customer, a CAM prospect with its
pre-requirements, and a second prospect for signalProcess) and prints their
ids as `export NAME=value` lines. The credentials come from the
environment `.ci/fuzz` sets (FUZZ_INTERNAL, FUZZ_APP_KEY, FUZZ_APP_SECRET,
FUZZ_USER_TOKEN, FUZZ_CASE_TOKEN: whole header lines `Name: value`).

Loaded by Schemathesis (SCHEMATHESIS_HOOKS), its `map_case` hook makes every
positive case name those records, so that schema-valid requests reach the
code past "no such case" or "no such action". Negative cases are left as
generated: their point is the part that breaks the schema.
"""

import base64
import itertools
import json
import os
import sys
import urllib.request

OWNER = ("fuzz", "fuzz-owner")


def _header(line):
    name, _, value = line.partition(":")
    return name.strip(), value.strip()


def _call(base, method, path, headers, body=None, content_type="application/json"):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {**headers, "Content-Type": content_type}
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def create(base):
    """Creates the records; returns their ids by environment variable."""
    env = os.environ
    internal = dict([_header(env["FUZZ_INTERNAL"])])
    party = _call(base, "POST", "/party/v1/parties", internal,
                  {"kind": "person", "firstName": "Fuzz", "lastName": "Data"})
    # A second party for ECM's business look-ups: the first is the party
    # operations' own, and their DELETE removes it.
    business = _call(base, "POST", "/party/v1/parties", internal,
                     {"kind": "person", "firstName": "Fuzz", "lastName": "Business"})
    owner = {**internal, "X-Owner-System": OWNER[0], "X-Owner-Subject": OWNER[1]}
    document = _call(base, "POST", "/document/v1/documents", owner, {
        "reference": "fuzz", "fileName": "note.pdf", "fileType": "application/pdf",
        "fileContents": base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()})
    ecm = dict([_header(env["FUZZ_CASE_TOKEN"])])
    ecm_base = "/rest-api/ECMService/CaseManagementService/"
    _call(base, "POST", ecm_base + "createCase", ecm, [{"caseId": "FUZZ-CASE"}])
    _call(base, "POST", ecm_base + "addCustomer", ecm,
          [{"caseId": "FUZZ-CASE", "customers": [{"customerId": "FUZZ-CUSTOMER"}]}])
    cam = dict(_header(env[name]) for name in ("FUZZ_APP_KEY", "FUZZ_APP_SECRET", "FUZZ_USER_TOKEN"))
    cam_base = "/services/data/v1/CustomerActionsManagement/operations/"
    prospect = _call(base, "POST", cam_base + "PersonalInfo/createProspectProfile", cam, {
        "FirstName": "Fuzz", "LastName": "Data", "DateOfBirth": "1985-10-10",
        "Email": "fuzz@example.com"})
    actions = _call(base, "POST", cam_base + "UserAction/createPreRequirements", cam,
                    {"Application_id": prospect["Application_id"]})
    # signalProcess's own application: a Withdraw closes the one it names,
    # and the other operations' application must stay open.
    signalled = _call(base, "POST", cam_base + "PersonalInfo/createProspectProfile", cam, {
        "FirstName": "Fuzz", "LastName": "Signal", "DateOfBirth": "1985-10-10",
        "Email": "fuzz@example.com"})
    identifiers = [a["UserActionIdentifier"] for group in actions.values()
                   if isinstance(group, list) for a in group]
    return {
        "FUZZ_PARTY_ID": party["id"],
        "FUZZ_BUSINESS_PARTY_ID": business["id"],
        "FUZZ_DOCUMENT_ID": document["id"],
        "FUZZ_CASE_ID": "FUZZ-CASE",
        "FUZZ_CUSTOMER_ID": "FUZZ-CUSTOMER",
        "FUZZ_APPLICATION_ID": prospect["Application_id"],
        "FUZZ_SIGNAL_APPLICATION_ID": signalled["Application_id"],
        "FUZZ_ACTION_ID": identifiers[0] if identifiers else "",
    }


# The hooks: only when Schemathesis loads this file.
if __name__ != "__main__":
    import schemathesis

    _fresh = itertools.count(1)

    def _replace(value, key, new):
        """`value` with every `key` field (in an object or a list of objects) set to `new`."""
        if isinstance(value, dict):
            return {k: (new() if k == key else _replace(v, key, new)) for k, v in value.items()}
        if isinstance(value, list):
            return [_replace(v, key, new) for v in value]
        return value

    @schemathesis.hook
    def before_add_examples(context, examples):
        # The examples phase applies no map_case; its cases are positive.
        for case in examples:
            _name_records(case)

    @schemathesis.hook
    def map_case(context, case):
        meta = case.meta
        if meta is None or not meta.generation.mode.is_positive:
            return case
        return _name_records(case)

    def _ecm(operation, body):
        env = os.environ
        _call(env["FUZZ_BASE"], "POST", "/rest-api/ECMService/CaseManagementService/" + operation,
              dict([_header(env["FUZZ_CASE_TOKEN"])]), body)

    def _fresh_customers(body, existing):
        """A batch on a case made for it: every item names that new case,
        each customer a fresh id (the business party for `businessAdd: "Y"`,
        which looks the customer up in party-service). For removeCustomer the
        customers are added first, so that they are there to remove."""
        if not isinstance(body, list):
            return body
        case_id = f"FUZZ-{os.getpid()}-{next(_fresh)}"
        _ecm("createCase", [{"caseId": case_id}])
        for item in body:
            if not isinstance(item, dict):
                continue
            item["caseId"] = case_id
            for customer in item.get("customers") or []:
                if not isinstance(customer, dict):
                    continue
                if customer.get("businessAdd") == "Y":
                    customer["customerId"] = os.environ["FUZZ_BUSINESS_PARTY_ID"]
                else:
                    customer["customerId"] = f"FUZZ-C-{os.getpid()}-{next(_fresh)}"
            if existing:
                _ecm("addCustomer", [{"caseId": case_id, "customers": [
                    {"customerId": c["customerId"]} for c in item.get("customers") or []
                    if isinstance(c, dict)]}])
        return body

    def _name_records(case):
        env = os.environ
        path = case.operation.path
        if "{id}" in path and case.path_parameters:
            kind = "FUZZ_PARTY_ID" if path.startswith("/party/") else "FUZZ_DOCUMENT_ID"
            case.path_parameters = {**case.path_parameters, "id": env[kind]}
        if path.startswith("/document/") and case.headers is not None:
            case.headers = {**case.headers, "X-Owner-System": OWNER[0], "X-Owner-Subject": OWNER[1]}
        body = case.body
        if path.endswith("/addCustomer") or path.endswith("/removeCustomer"):
            body = _fresh_customers(body, path.endswith("/removeCustomer"))
            case.body = body
            return case
        if "/RealTimeCaseCreationService/" in path:
            # A fresh event code each time: a code seen before is refused
            # (the vendor's 500, "Event lookup entry already exists.").
            body = _replace(body, "eventCode", lambda: f"FUZZ-E-{os.getpid()}-{next(_fresh)}")
        if path.endswith("/createCase"):
            # A new case each time: a case id taken is refused (400, as ECM does).
            body = _replace(body, "caseId", lambda: f"FUZZ-{os.getpid()}-{next(_fresh)}")
        else:
            body = _replace(body, "caseId", lambda: env["FUZZ_CASE_ID"])
        body = _replace(body, "customerId", lambda: env["FUZZ_CUSTOMER_ID"]) \
            if path.endswith("/getCustomerCases") else body
        body = _replace(body, "Application_id", lambda: env["FUZZ_APPLICATION_ID"])
        if path.endswith("/signalProcess") and isinstance(body, dict):
            body = {**body, "Application_id": env["FUZZ_SIGNAL_APPLICATION_ID"]}
        body = _replace(body, "UserActionIdentifier", lambda: env["FUZZ_ACTION_ID"])
        # jsondata is JSON text, which a schema cannot say.
        body = _replace(body, "jsondata", lambda: json.dumps({"Application_id": env["FUZZ_APPLICATION_ID"]}))
        case.body = body
        return case


if __name__ == "__main__":
    for name, value in create(sys.argv[1]).items():
        print(f"export {name}={value}")
