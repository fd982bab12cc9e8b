"""Whatever the text, parsing gives a record or a located error, never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.terraform.cache import parse_to_record

PIECES = ['resource "a_b" "c" {', "}", "{", "[", "]", "(", ")", "x = ", '"s"', '"${', "var.x",
          "<<EOT\n", "EOT\n", "\n", "dynamic", " for_each = ", "? 1 : 2", "&&", "...", "#",
          "/*", "*/", "1.5e3", "-", "!", "%{ if x }", "[*]", ".0", "=>", "locals {", " ",
          "\\", "\x00", "é"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_never_raises(pieces):
    record = parse_to_record("".join(pieces))
    assert record[0] in ("ok", "error")
    if record[0] == "error":
        assert isinstance(record[1], str) and record[1]
