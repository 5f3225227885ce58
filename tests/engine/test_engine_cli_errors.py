"""The CLI's promise for errors: one line on stderr, exit 1, no traceback, no key, whatever went wrong."""

from __future__ import annotations

import pytest
from askhog import cli


def _raising(exc: BaseException):  # type: ignore[no-untyped-def]
    def handler(_args: object) -> int:
        raise exc

    return handler


@pytest.mark.parametrize("exc", [TypeError("bad\noperand"), RecursionError("deep"), KeyError("x")])
def test_an_unexpected_error_is_one_line_and_names_itself_a_bug(
    exc: BaseException, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ASKHOG_DEBUG", raising=False)
    monkeypatch.setattr(cli, "_cmd_lint", _raising(exc))
    assert cli.main(["lint", "-"]) == cli.EXIT_ERROR
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert f"internal error ({type(exc).__name__}" in err and "bug in askhog" in err


def test_the_key_is_redacted_from_any_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", "phx_topsecret123")
    monkeypatch.setattr(cli, "_cmd_lint", _raising(ValueError("header Bearer phx_topsecret123 refused")))
    assert cli.main(["lint", "-"]) == cli.EXIT_ERROR
    assert "phx_topsecret123" not in capsys.readouterr().err


def test_asking_for_the_traceback_gets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASKHOG_DEBUG", "1")
    monkeypatch.setattr(cli, "_cmd_lint", _raising(TypeError("x")))
    with pytest.raises(TypeError):
        cli.main(["lint", "-"])
