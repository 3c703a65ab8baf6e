"""The Fever API (FreshRSS, Miniflux, Tiny Tiny RSS's plugin): read and starred only.

Fever has no item labels and cannot add or remove feeds: user tags stay local and a feed
added in Warta is reported as "add it on the server". It has no "list every id" call either,
so new items are found by paging ``items&since_id`` (50 per page, the API's size), and each
state change is one ``mark=item`` request (there is no batch form). A change counts as
confirmed when the answer's ``unread_item_ids``/``saved_item_ids`` show the new state.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from ..sanitize import sanitize_line
from .backend import ServerFeed, ServerItem, Snapshot
from .errors import LabelsUnsupportedError, NotAnEndpointError, SyncAuthError, SyncProtocolError, SyncSetupError
from .http import ApiHttp, json_body

WITH_IDS_BATCH = 50


class FeverBackend:
    name = "Fever API"
    keeps_labels = False
    can_subscribe = False
    marks_folders = False  # its groups have ids Warta does not map: a tag's mark-all goes item by item

    def __init__(self, http: ApiHttp, user: str, password: str) -> None:
        self.http = http
        self.user = user
        self._api_key = hashlib.md5(f"{user}:{password}".encode()).hexdigest()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _call(self, *flags: str, label: str, **params: str) -> dict[str, Any]:
        # One query string: httpx replaces a URL's own query when it is given params.
        query = {"api": "", **{flag: "" for flag in flags}, **params}
        response = await self.http.call("POST", "", label=label, params=query,
                                        data={"api_key": self._api_key}, ok=(200, 401, 403))
        body = json_body(response, self.http.host, label) if response.status_code == 200 else None
        if not isinstance(body, dict) or "api_version" not in body:
            if response.status_code in (401, 403):
                raise SyncAuthError(f"sync: {self.http.host} refused the Fever login of "
                                    f"{self.user!r}")
            raise NotAnEndpointError(f"sync: {self.http.base_url} is not a Fever API address "
                                     "(no api_version in its answer; FreshRSS's is …/api/fever.php)")
        if body.get("auth") != 1:
            raise SyncAuthError(f"sync: {self.http.host} refused the password for user "
                                f"{self.user!r} (Fever wants the API password)")
        return body

    async def login(self) -> None:
        await self._call(label="login")

    async def feeds(self) -> list[ServerFeed]:
        body = await self._call("groups", "feeds", label="feeds")
        groups = {g.get("id"): sanitize_line(str(g.get("title") or ""))
                  for g in _list(body, "groups")}
        folders: dict[str, list[str]] = {}
        for link in _list(body, "feeds_groups"):
            for feed_id in str(link.get("feed_ids") or "").split(","):
                if feed_id.strip() and groups.get(link.get("group_id")):
                    folders.setdefault(feed_id.strip(), []).append(groups[link.get("group_id")])
        return [ServerFeed(stream=str(f.get("id")), url=str(f.get("url")),
                           title=sanitize_line(str(f.get("title") or "")),
                           categories=tuple(folders.get(str(f.get("id")), ())))
                for f in _list(body, "feeds") if f.get("id") is not None and f.get("url")]

    async def snapshot(self) -> Snapshot:
        unread = _ids((await self._call("unread_item_ids", label="ids unread")).get("unread_item_ids"))
        starred = _ids((await self._call("saved_item_ids", label="ids starred")).get("saved_item_ids"))
        return Snapshot(listed=None, unread=unread, starred=starred)

    async def new_items(self, snapshot: Snapshot, known: set[str]) -> AsyncIterator[list[ServerItem]]:
        have = set(known)
        since = max((int(sid) for sid in known), default=0)
        while True:
            body = await self._call("items", label="items", since_id=str(since))
            items = [item for item in map(_item, _list(body, "items")) if item is not None]
            if not items:
                break
            since = max(since, *(int(item.sid) for item in items))
            fresh = [item for item in items if item.sid not in have]
            have.update(item.sid for item in fresh)
            yield fresh
        # Unread or saved items the paging did not reach (older than what was known).
        missing = sorted((snapshot.unread | snapshot.starred) - have, key=int)
        for start in range(0, len(missing), WITH_IDS_BATCH):
            batch = missing[start : start + WITH_IDS_BATCH]
            body = await self._call("items", label="items", with_ids=",".join(batch))
            yield [item for item in map(_item, _list(body, "items")) if item is not None]

    async def set_flag(self, sids: Sequence[str], flag: str, value: bool) -> None:
        word = {("read", True): "read", ("read", False): "unread",
                ("starred", True): "saved", ("starred", False): "unsaved"}[(flag, value)]
        listing = "unread_item_ids" if flag == "read" else "saved_item_ids"
        for sid in sids:
            body = await self._call(label="mark item", mark="item", **{"as": word, "id": sid})
            if listing in body:  # FreshRSS and Miniflux answer with the list after the change
                present = sid in _ids(body.get(listing))
                if present != (value if flag == "starred" else not value):
                    raise SyncProtocolError(f"sync: {self.http.host} did not apply "
                                            f"mark {word} to item {sid}")

    async def set_label(self, sids: Sequence[str], label: str, value: bool) -> None:
        raise LabelsUnsupportedError("sync: the Fever API keeps no labels; tags stay in Warta")

    async def mark_all_read(self, stream: str | None, category: str | None, newest_usec: int,
                            newest_seen_at: float) -> None:
        if stream is None:
            await self._call(label="mark group", mark="group", **{"as": "read", "id": "0",
                                                                  "before": str(int(newest_seen_at))})
        else:
            await self._call(label="mark feed", mark="feed", **{"as": "read", "id": stream,
                                                                "before": str(int(newest_seen_at))})

    async def subscribe(self, url: str, title: str, categories: Sequence[str]) -> str:
        raise SyncSetupError(f"sync: the Fever API cannot add feeds; add {url} on the server")

    async def unsubscribe(self, stream: str) -> None:
        raise SyncSetupError("sync: the Fever API cannot remove feeds; remove it on the server")


def _list(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key)
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def _ids(value: Any) -> frozenset[str]:
    if isinstance(value, list):  # some servers send a JSON list instead of "1,2,3"
        parts = [str(v) for v in value]
    else:
        parts = str(value or "").split(",")
    return frozenset(str(int(p)) for p in (part.strip() for part in parts) if p.isdigit())


def _item(raw: dict[str, Any]) -> ServerItem | None:
    sid = str(raw.get("id") or "")
    if not sid.isdigit():
        return None
    try:
        published = float(raw["created_on_time"]) if raw.get("created_on_time") else None
    except (TypeError, ValueError):
        published = None
    return ServerItem(sid=str(int(sid)), stream=str(raw.get("feed_id") or ""),
                      url=str(raw.get("url") or ""), title=str(raw.get("title") or ""),
                      html=str(raw.get("html") or ""), author=str(raw.get("author") or ""),
                      published=published)
