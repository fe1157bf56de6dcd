"""Which of a record's sources back which of its facts: one rule for every state and territory.

An answer cites only what backs its reasons, so each fact a record asserts (entry into force, a
withdrawal, its revocation, the application to a territory) carries its own sources. A record
may bind them itself (`evidence:`); what it leaves unbound is bound here, by rule:

- the treaty-status page (UNTC, XVIII-10) is a table of membership dates: it can back an entry
  into force, never the act of a withdrawal, a revocation or an extension, which are read in
  depositary notifications or statements of the Court and the Assembly;
- a withdrawal or revocation the record leaves unbound rests on the record's sources other than
  the status page and other than those it binds to another fact;
- an entry into force left unbound rests on the record's sources other than those it binds to a
  withdrawal or revocation (which speak of the act, not of membership);
- a territory's application rests on its own record's sources; its sovereign's treaty facts on
  the sovereign's bindings (composed on load);
- where a record's deposit day was recalled, not read (`deposit_recalled: true`), the status page
  backs nothing: the entry into force rests on the record's other sources, as confident as they
  allow.

Pure: works on the records as read from YAML, so `data sources` and the loader agree.
"""

from __future__ import annotations

from typing import Any

# The facts a state record can assert, in the order they happen.
STATE_FACTS = ("entry_into_force", "withdrawal", "revocation")
ACTS = ("withdrawal", "revocation")


def is_status_page(url: str) -> bool:
    """The UN treaty-status page: a table of dates, not the text of any act."""
    lowered = url.lower()
    return "treaties.un.org" in lowered and (
        "/pages/viewdetails.aspx" in lowered or "/pages/showmtdsgdetails.aspx" in lowered
    )


def asserted(raw: dict[str, Any]) -> tuple[str, ...]:
    """The facts a state record asserts: its entry into force, and a withdrawal and its revocation
    where it records them."""
    facts = []
    if raw.get("entry_into_force") or raw.get("deposited"):
        facts.append("entry_into_force")
    if raw.get("withdrawal_notified"):
        facts.append("withdrawal")
    if raw.get("withdrawal_revoked"):
        facts.append("revocation")
    return tuple(facts)


def _urls(value: Any) -> list[str]:
    return [url for url in value or [] if isinstance(url, str)] if isinstance(value, list) else []


def state_bindings(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every fact the record asserts (or binds) -> {"sources": [...], "confidence": stated or None,
    "dated": ..., "derived": bool}. Derived bindings take no stated confidence: the loader gives
    them the record's (see `Territory.confidence_on`)."""
    block = raw.get("evidence") if isinstance(raw.get("evidence"), dict) else {}
    sources = _urls(raw.get("sources"))
    bound: dict[str, dict[str, Any]] = {}
    for fact, item in block.items():
        if isinstance(item, dict):
            bound[fact] = {
                "sources": _urls(item.get("sources")),
                "confidence": item.get("confidence"),
                "dated": item.get("dated"),
                "derived": False,
            }
    on_acts = {url for fact in ACTS if fact in bound for url in bound[fact]["sources"]}
    on_entry = set(bound["entry_into_force"]["sources"]) if "entry_into_force" in bound else set()
    for fact in asserted(raw):
        if fact in bound:
            continue
        if fact == "entry_into_force":
            chosen = [url for url in sources if url not in on_acts]
        else:
            chosen = [url for url in sources if not is_status_page(url) and url not in on_entry]
        bound[fact] = {"sources": chosen, "confidence": None, "dated": None, "derived": True}
    if raw.get("deposit_recalled") is True and "entry_into_force" in bound:
        entry = bound["entry_into_force"]
        entry["sources"] = [url for url in entry["sources"] if not is_status_page(url)]
        entry["recalled"] = True
    return {fact: bound[fact] for fact in sorted(bound, key=lambda f: STATE_FACTS.index(f) if f in STATE_FACTS else 9)}


def territory_binding(raw: dict[str, Any]) -> dict[str, Any]:
    """A territory's application: bound by its record, or resting on its record's own sources
    other than the status page (which gives no extension's text)."""
    block = raw.get("evidence") if isinstance(raw.get("evidence"), dict) else {}
    item = block.get("application")
    if isinstance(item, dict):
        return {
            "sources": _urls(item.get("sources")),
            "confidence": item.get("confidence"),
            "dated": item.get("dated"),
            "derived": False,
        }
    sources = [url for url in _urls(raw.get("sources")) if not is_status_page(url)]
    return {"sources": sources, "confidence": raw.get("confidence"), "dated": None, "derived": True}
