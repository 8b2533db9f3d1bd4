"""The shared readers on their own: Go encoding/json semantics for containerDefinitions, and the numeric forms of
users, ports and protocols."""

from __future__ import annotations

import json

import pytest

from policies.readers import gojson
from policies.readers.numbers import atoi, is_root_id, number, protocol_name


def test_keys_match_whatever_their_case():
    obj = gojson.loads('{"PRIVILEGED": true, "ReadonlyRootFilesystem": false}')
    assert obj.get("privileged") is True and obj["readonlyRootFilesystem"] is False
    assert "Privileged" in obj and "user" not in obj


def test_the_last_of_two_spellings_wins():
    assert gojson.loads('{"user": "1000", "USER": "0"}').get("user") == "0"
    assert gojson.loads('{"User": "0", "user": "1000"}').get("user") == "1000"
    assert gojson.loads('{"privileged": true, "Privileged": null}').get("privileged") is None


def test_go_folds_long_s_and_kelvin_but_not_other_look_alikes():
    obj = gojson.loads(json.dumps({"\u017fecrets": [1], "healthChec\u212a": {}, "pr\u0131vileged": True}))
    assert obj.get("secrets") == [1] and obj.get("healthCheck") == {}
    assert obj.get("privileged") is None  # the dotless i is not an i to Go


def test_every_valid_json_form_is_read():
    text = '[ {"\\u0070rivileged" :\n true, "cpu": 1E1, "memory": -0.0e0} ]'
    (obj,) = gojson.loads(text)
    assert obj.get("privileged") is True and obj.get("cpu") == 10.0


@pytest.mark.parametrize("text", ["[NaN]", "[Infinity]", "[-Infinity]", "[{'a': 1}]", "[1,]", "[" * 3000])
def test_what_go_rejects_is_rejected(text):
    with pytest.raises((ValueError, RecursionError)):
        gojson.loads(text)


def test_structured_values_are_read_the_same_way():
    (obj,) = gojson.view([{"Environment": [{"Name": "A", "Value": "b"}]}])
    assert obj.get("environment")[0].get("name") == "A" and obj["environment"][0]["value"] == "b"


@pytest.mark.parametrize("text,value", [("0", 0), ("+0", 0), ("-0", 0), ("007", 7), ("-12", -12)])
def test_atoi_reads_signs_and_leading_zeros(text, value):
    assert atoi(text) == value


@pytest.mark.parametrize("text", [" 0", "0 ", "0x0", "1_000", "", "0.0", "١"])
def test_atoi_rejects_what_strconv_rejects(text):
    assert atoi(text) is None


@pytest.mark.parametrize("part", ["0", "00", "+0", "-0", " 0 ", "0.0", "0e3", "root", "ROOT", 0, 0.0, -0.0])
def test_every_form_of_uid_0_is_root(part):
    assert is_root_id(part)


@pytest.mark.parametrize("part", ["1000", "+1000", "node", "rooty", "app", 1000, 1000.0, True, None, [], ""])
def test_other_users_are_not_root(part):
    assert not is_root_id(part)


@pytest.mark.parametrize("value,port", [(22, 22), (22.0, 22), ("22", 22), ("+22", 22), ("022", 22), ("22.0", 22),
                                        ("2.2e1", 22), (" 22 ", 22), (-1.0, -1)])
def test_ports_in_every_numeric_form(value, port):
    assert number(value) == port


@pytest.mark.parametrize("value", [True, None, "22.5", "twenty", float("nan"), float("inf"), [22], {}])
def test_non_numbers_are_not_ports(value):
    assert number(value) is None


@pytest.mark.parametrize("value,name", [
    ("tcp", "tcp"), ("TCP", "tcp"), (" Tcp ", "tcp"), ("6", "tcp"), ("06", "tcp"), ("+6", "tcp"), (6.0, "tcp"),
    ("6.0", "tcp"), ("17", "udp"), ("UDP", "udp"), ("-1", "all"), (-1.0, "all"), ("-01", "all"), ("all", "all"),
    ("ALL", "all"), ("1", "icmp"), ("icmp", "icmp"), ("58", "icmpv6"), ("50", "50"), ("esp", "esp")])
def test_protocols_in_every_form(value, name):
    assert protocol_name(value) == name


@pytest.mark.parametrize("value", [None, True, [], {}, ""])
def test_non_values_have_no_protocol(value):
    assert protocol_name(value) is None


# --- IAM documents ---------------------------------------------------------------------------------------------

from policies.readers import iam  # noqa: E402


@pytest.mark.parametrize("patterns,everything", [
    (["*"], True), (["*:*"], True), (["?*"], True), (["*:*", "s3:GetObject"], True), (["s3:*"], False),
    (["iam:*"], False), ([], False), (["[a-z]*"], False)])
def test_action_patterns_cover_everything_only_when_they_match_every_service(patterns, everything):
    assert iam.covers_actions(patterns) is everything


@pytest.mark.parametrize("patterns", [["iam:*"], ["IAM:*"], ["i?m:*"], ["*"], ["iam:*Policy*", "iam:*"]])
def test_whole_iam_service(patterns):
    assert iam.covers_actions(patterns, iam.IAM_ACTIONS)


@pytest.mark.parametrize("patterns,everything", [
    (["*"], True), (["arn:*"], True), (["arn:aws:*"], True), (["arn:aws:*:*:*:*"], True),
    (["arn:aws-cn:*"], True), (["arn:aws:s3:::*"], False), (["arn:aws:iam::*:*"], False),
    (["arn:AWS:*"], False), (["arn:aws:s3:::*", "arn:aws:iam::*"], False)])
def test_resource_patterns_cover_everything_only_when_they_match_every_arn(patterns, everything):
    assert iam.covers_all_resources(patterns) is everything


def test_a_statement_object_is_a_list_of_one():
    doc = iam.document('{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}')
    assert iam.statements(doc) == [{"effect": "Allow", "action": "*", "resource": "*"}]
    assert iam.grants_everything_on_all(iam.statements(doc)[0])


@pytest.mark.parametrize("condition", [
    {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    {"stringequals": {"AWS:SourceAccount": ["111122223333", "444455556666"]}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f60718"}},
    {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}}])
def test_conditions_that_really_restrict(condition):
    assert iam.restricting_condition(condition)


@pytest.mark.parametrize("condition", [
    None, {}, {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"StringLike": {"aws:PrincipalOrgID": "*"}}, {"StringLike": {"aws:PrincipalOrgID": "o-*"}},
    {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}},
    {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}},
    {"Null": {"aws:SourceAccount": "false"}}, {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}},
    {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {"StringEquals": {"aws:SourceAccount": ["111122223333", "*"]}},
    {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}},
    {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}])
def test_conditions_that_do_not_restrict(condition):
    assert iam.restricting_condition(condition) is None


# --- network coverage ------------------------------------------------------------------------------------------

from policies.readers.network import world_spaces  # noqa: E402


@pytest.mark.parametrize("cidrs,spaces", [
    (["0.0.0.0/0"], ["0.0.0.0/0"]), (["0.0.0.0/1", "128.0.0.0/1"], ["0.0.0.0/0"]),
    ([f"{i}.0.0.0/8" for i in range(256)], ["0.0.0.0/0"]), (["::0/0"], ["::/0"]), (["::/1", "8000::/1"], ["::/0"]),
    (["0.0.0.0/1", "128.0.0.0/1", "::/0"], ["0.0.0.0/0", "::/0"]), (["128.0.0.1/0"], ["0.0.0.0/0"]),
    (["0.0.0.0/1", "128.0.0.0/2"], []), (["10.0.0.0/8"], []), ([], []), (["nonsense", None, 5], []),
    (["0.0.0.0/1", "8000::/1"], [])])
def test_world_means_the_union_covers_the_address_space(cidrs, spaces):
    assert world_spaces(cidrs) == spaces


# --- plaintext secrets -----------------------------------------------------------------------------------------

from policies.readers import secrets  # noqa: E402


@pytest.mark.parametrize("name,value,confidence", [
    ("DB_PASSWORD", "hunter2", "high"), ("DBPASSWORD", "hunter2", "high"), ("dbPwd", "x1", "high"),
    ("AWS_SECRET_ACCESS_KEY", "", "high"), ("X", "AKIAABCDEFGHIJKLMNOP", "high"),
    ("X", "mysql://u:p@h/db", "high"), ("X", "Password=p;Server=s", "high"), ("X", '{"a": {"token": "t0k"}}', "high"),
    ("SESSION_SALT", "Xy7-salt", "fuzzy"), ("BASIC_AUTH", "user:pass", "fuzzy"),
    ("PASSWORD_MIN_LENGTH", "12", None), ("TOKEN_TTL", "60", None), ("DB_USER", "app", None), ("DB_AUTH", "iam", None),
    ("RESET_PASSWORD_URL", "https://x/reset-password", None), ("STRIPE_PUBLISHABLE_KEY", "pk_live_x", None),
    ("PWD", "/app", None), ("SORT_KEY", "id", None), ("X", '{"port": 3306}', None), ("X", None, None)])
def test_classify(name, value, confidence):
    found = secrets.classify(name, value)
    assert (found.confidence if found else None) == confidence


def test_detect_secrets_runs_in_this_runtime():
    assert secrets.detector_hits("ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8") == ["GitHub Token"]
    assert secrets.detector_hits("app-db.abc.us-east-1.rds.amazonaws.com") == []
