"""Save Page Now 2: capture live links that have no recent archive (opt-in, ``--save``).

``save_links(refs, links, archives, SaveConfig, Credentials.from_env()) -> SaveRun``;
``save_findings`` turns a run into findings; :mod:`checker.save.policy` says what each
SPN2 error code leads to."""

from checker.save.client import Credentials, SaveConfig
from checker.save.findings import save_findings
from checker.save.runner import SaveRun, save_links

__all__ = ["Credentials", "SaveConfig", "SaveRun", "save_findings", "save_links"]
