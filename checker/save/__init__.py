"""Save Page Now 2: capture live links that have no recent archive (opt-in, ``--save``).

``save_links(refs, links, archives, SaveConfig, Credentials.from_env()) -> SaveRun``;
``save_findings`` turns a run into findings; :mod:`checker.save.policy` says what each
SPN2 error code leads to."""

from typing import TYPE_CHECKING, Any

from checker.save.config import Credentials, SaveConfig

if TYPE_CHECKING:
    from checker.save.findings import save_findings
    from checker.save.runner import SaveRun, save_links

__all__ = ["Credentials", "SaveConfig", "SaveRun", "save_findings", "save_links"]
_LATER = {"SaveRun": "runner", "save_links": "runner", "save_findings": "findings"}


def __getattr__(name: str) -> Any:
    """The runner and its findings, imported on first use: the settings alone (what the
    CLI builds for every link check) need neither requests nor the page checks."""
    if name in _LATER:
        import importlib

        return getattr(importlib.import_module(f"checker.save.{_LATER[name]}"), name)
    raise AttributeError(f"module 'checker.save' has no attribute {name!r}")
