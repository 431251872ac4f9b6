"""The command line's English for the contract's validation errors covers every code the contract raises."""

from __future__ import annotations

import ast
from pathlib import Path

import contract
from contract.errors import ValidationError
from contract.errors_en import CODE_TEXTS, cli_line, english_reason

CONTRACT_DIR = Path(contract.__file__).parent


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _codes_raised_by_the_contract() -> set[str]:
    """Every code= of every ValidationError(...) call in the contract's source: a literal, or a parameter of a small
    helper that forwards it (contract/practice/check.py's `bad(field, message, code="choice")`), whose callers then
    give it as a literal or leave the default. Anything else fails: this list must be complete."""
    codes: set[str] = set()
    for path in sorted(CONTRACT_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        forwarders: dict[str, int] = {}  # helper name -> position of its code parameter
        forwarded: set[int] = set()  # the lines of the ValidationError calls inside them
        for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            params = [a.arg for a in func.args.args]
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ValidationError":
                    code = next((k.value for k in node.keywords if k.arg == "code"), None)
                    if isinstance(code, ast.Name) and code.id in params:
                        forwarders[func.name] = params.index(code.id)
                        forwarded.add(node.lineno)
                        default = func.args.defaults[params.index(code.id) - len(params)] \
                            if params.index(code.id) >= len(params) - len(func.args.defaults) else None
                        if _literal(default):
                            codes.add(str(_literal(default)))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id == "ValidationError":
                code = next((k.value for k in node.keywords if k.arg == "code"), None)
                if _literal(code) is not None:
                    codes.add(str(_literal(code)))
                    continue
                assert node.lineno in forwarded, f"{path.name}:{node.lineno}: give ValidationError a literal code="
            elif node.func.id in forwarders:
                at = forwarders[node.func.id]
                arg = node.args[at] if len(node.args) > at else next(
                    (k.value for k in node.keywords if k.arg == "code"), None)
                if arg is not None:
                    assert _literal(arg) is not None, f"{path.name}:{node.lineno}: give {node.func.id} a literal code"
                    codes.add(str(_literal(arg)))
    return codes


def test_every_code_the_contract_raises_has_an_english_text() -> None:
    codes = _codes_raised_by_the_contract()
    assert {"required", "choice", "too_long", "phone", "type", "unknown", "not_direct"} <= codes  # the scan works
    assert sorted(codes - set(CODE_TEXTS)) == []


def test_english_texts_are_ascii_and_a_new_code_falls_back_to_plain_words() -> None:
    assert all(text.isascii() and text for text in CODE_TEXTS.values())
    err = ValidationError("content", "某个新规则", code="brand_new_rule")
    assert english_reason(err) == "not accepted (brand_new_rule)"
    assert cli_line(err) == "content (诉求内容): not accepted (brand_new_rule)"


def test_a_field_outside_the_case_form_is_named_without_a_label() -> None:
    err = ValidationError("lines[2]", "每句话应为文字", code="type")
    assert cli_line(err) == "lines[2]: wrong type"
