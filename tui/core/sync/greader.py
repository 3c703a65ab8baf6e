"""The Google Reader API as FreshRSS, Miniflux, Inoreader, The Old Reader and BazQux speak it.

Sync the way the servers' authors ask clients to (BazQux's "right way to sync", FreshRSS's
advice): item *ids* of the reading list, the unread and the starred streams every time, and
item contents only for ids the client has not seen. Dialects seen and handled:

- Item ids: ``stream/items/ids`` gives decimal ids; contents give the long hex form. Writes
  send the long form, the one every server parses (Miniflux reads a bare id as hex, FreshRSS
  as decimal).
- Labels: FreshRSS keeps item labels (``tag/list`` entries of type "tag") beside folders;
  Miniflux's labels are its categories only (type "folder"), and ``edit-tag`` refuses labels.
- Continuation: a string (FreshRSS), a number with 0 meaning "no more" (Miniflux).
- One ``edit-tag`` call applies one ``a=``/``r=`` value (FreshRSS reads a single one), so one
  call is made per label and flag, each with many ``i=``.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

from ..sanitize import sanitize_line
from .backend import ItemsAnswer, ServerFeed, ServerItem, Snapshot
from .errors import (ApiDisabledError, LabelsUnsupportedError, NotAnEndpointError, SyncAuthError, SyncProtocolError,
                     SyncServerError)
from .http import ApiHttp, json_body

READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
LABEL = "user/-/label/"
_LABEL = re.compile(r"^user/[^/]*/label/(.+)$")
_LONG_ID = "tag:google.com,2005:reader/item/"
IDS_PAGE = 10000
CONTENTS_BATCH = 250  # ids per stream/items/contents request
EDIT_BATCH = 250  # ids per edit-tag request
FLAGS = {"read": READ, "starred": STARRED}


def decimal_id(raw: Any) -> str:
    """One spelling for an item id: decimal. The long form ends in 16 hex digits."""
    text = str(raw).strip()
    if text.startswith(_LONG_ID):
        return str(int(text[len(_LONG_ID):], 16))
    if text.isdigit():
        return str(int(text))
    raise ValueError(f"not an item id: {text[:40]!r}")


def long_id(sid: str) -> str:
    return f"{_LONG_ID}{int(sid):016x}"


def label_name(stream_id: str) -> str | None:
    found = _LABEL.match(stream_id)
    return found.group(1) if found else None


class GReaderBackend:
    name = "Google Reader API"
    can_subscribe = True

    def __init__(self, http: ApiHttp, user: str, password: str, *, max_items: int = 10000) -> None:
        self.http = http
        self.user = user
        self._password = password
        self.max_items = max_items
        self.keeps_labels = False  # learnt from tag/list in snapshot()
        self._auth = ""
        self._token = ""

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- requests -----------------------------------------------------------------------------

    async def login(self) -> None:
        """ClientLogin; the answers of a server that is not one, or refuses, become sentences."""
        http = self.http
        response = await http.call("POST", "/accounts/ClientLogin", label="login",
                                   data={"Email": self.user, "Passwd": self._password},
                                   ok=(200, 400, 401, 403, 404, 405, 503))
        status = response.status_code
        if status in (401, 403):
            raise SyncAuthError(f"sync: {http.host} refused the password for user {self.user!r} "
                                "(FreshRSS and Miniflux want the API password set in their "
                                "settings, not the login password)")
        if status == 503:
            raise ApiDisabledError(f"sync: {http.host} has its API access switched off "
                                   "(FreshRSS: Administration → Authentication → allow API access)")
        if status in (400, 404, 405):
            raise NotAnEndpointError(f"sync: {http.base_url} is not a Google Reader API address "
                                     f"(it answered {status}; FreshRSS's is …/api/greader.php)")
        found = re.search(r"^Auth=(\S+)", response.text, re.MULTILINE)
        if not found:
            raise NotAnEndpointError(f"sync: {http.base_url} is not a Google Reader API address "
                                     "(its login answer has no Auth= line)")
        self._auth = found.group(1)
        self._token = ""

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"GoogleLogin auth={self._auth}"}

    async def _api(self, method: str, path: str, *, label: str, params: dict[str, Any] | None = None,
                   data: dict[str, Any] | None = None) -> Any:
        response = await self.http.call(method, "/reader/api/0/" + path, label=label, params=params,
                                        data=data, headers=self._headers(), ok=(200, 401, 403))
        if response.status_code in (401, 403):
            raise SyncAuthError(f"sync: {self.http.host} no longer accepts this login "
                                f"({response.status_code} to {label}); run warta sync login")
        return response

    async def _json(self, path: str, *, label: str, params: dict[str, Any] | None = None,
                    data: dict[str, Any] | None = None) -> dict[str, Any]:
        query = {"output": "json", **(params or {})}
        if data is not None:
            data = {"output": "json", **data}
        response = await self._api("POST" if data is not None else "GET", path, label=label,
                                   params=query, data=data)
        body = json_body(response, self.http.host, label)
        if not isinstance(body, dict):
            raise SyncProtocolError(f"sync: {self.http.host} sent an unexpected answer to {label}")
        return body

    async def _write(self, path: str, data: dict[str, Any], *, label: str) -> str:
        """A write; confirmed only by a 200 whose body says OK (FreshRSS, Miniflux, Inoreader)."""
        response = await self._api("POST", path, label=label,
                                   data={**data, "T": await self._write_token()})
        text = str(response.text).strip()
        if text != "OK":
            raise SyncProtocolError(f"sync: {self.http.host} did not confirm {label} "
                                    f"(answered {sanitize_line(text, 60)!r})")
        return text

    # -- reading ------------------------------------------------------------------------------

    async def feeds(self) -> list[ServerFeed]:
        body = await self._json("subscription/list", label="subscription/list")
        feeds = []
        for sub in _list(body, "subscriptions"):
            stream, url = sub.get("id"), sub.get("url") or sub.get("htmlUrl")
            if not isinstance(stream, str) or not isinstance(url, str):
                continue
            folders = tuple(sanitize_line(str(c.get("label") or label_name(str(c.get("id"))) or ""))
                            for c in sub.get("categories") or () if isinstance(c, dict))
            feeds.append(ServerFeed(stream=stream, url=url, title=sanitize_line(sub.get("title")),
                                    categories=tuple(f for f in folders if f)))
        return feeds

    async def _ids(self, stream: str, *, exclude: str | None = None, label: str) -> frozenset[str]:
        ids: list[str] = []
        continuation: str = ""
        while len(ids) < self.max_items:
            params: dict[str, Any] = {"s": stream, "n": min(IDS_PAGE, self.max_items - len(ids))}
            if exclude:
                params["xt"] = exclude
            if continuation:
                params["c"] = continuation
            body = await self._json("stream/items/ids", label=label, params=params)
            for ref in _list(body, "itemRefs"):
                try:
                    ids.append(decimal_id(ref.get("id")))
                except (ValueError, AttributeError):
                    continue
            following = body.get("continuation")
            if following in (None, "", 0, "0") or not body.get("itemRefs"):
                break
            continuation = str(following)
        return frozenset(ids)

    async def snapshot(self) -> Snapshot:
        tags = await self._json("tag/list", label="tag/list")
        labels = [label_name(str(tag.get("id"))) for tag in _list(tags, "tags")
                  if tag.get("type") == "tag"]
        self.keeps_labels = any(tag.get("type") == "tag" for tag in _list(tags, "tags"))
        listed = await self._ids(READING_LIST, label="ids reading-list")
        unread = await self._ids(READING_LIST, exclude=READ, label="ids unread")
        starred = await self._ids(STARRED, label="ids starred")
        by_label: dict[str, frozenset[str]] | None = None
        if self.keeps_labels:
            by_label = {}
            for name in labels:
                if name:
                    by_label[sanitize_line(name)] = await self._ids(LABEL + name, label="ids label")
        return Snapshot(listed=listed, unread=unread, starred=starred, labels=by_label)

    async def new_items(self, snapshot: Snapshot, known: set[str]) -> AsyncIterator[ItemsAnswer]:
        wanted = sorted((set(snapshot.listed or ()) | snapshot.starred) - known, key=int, reverse=True)
        for start in range(0, len(wanted), CONTENTS_BATCH):
            batch = wanted[start : start + CONTENTS_BATCH]
            response = await self._api("POST", "stream/items/contents", label="contents",
                                       params={"output": "json"},
                                       data={"output": "json", "i": [long_id(sid) for sid in batch]})
            yield ItemsAnswer(contents_items, response.content, self.http.host)

    # -- writing ------------------------------------------------------------------------------

    async def set_flag(self, sids: Sequence[str], flag: str, value: bool) -> None:
        await self._edit_tag(sids, FLAGS[flag], value)

    async def set_label(self, sids: Sequence[str], label: str, value: bool) -> None:
        try:
            await self._edit_tag(sids, LABEL + label, value)
        except SyncServerError as error:
            if "unsupported" in error.body.lower() or "label" in error.body.lower():
                raise LabelsUnsupportedError(f"sync: {self.http.host} keeps no item labels; "
                                             "tags stay in Warta") from None
            raise

    async def _edit_tag(self, sids: Sequence[str], tag: str, value: bool) -> None:
        for start in range(0, len(sids), EDIT_BATCH):
            ids = [long_id(sid) for sid in sids[start : start + EDIT_BATCH]]
            await self._write("edit-tag", {"i": ids, ("a" if value else "r"): tag}, label="edit-tag")

    async def mark_all_read(self, stream: str | None, category: str | None, newest_usec: int,
                            newest_seen_at: float) -> None:
        target = stream or (LABEL + category if category else READING_LIST)
        await self._write("mark-all-as-read", {"s": target, "ts": str(newest_usec)},
                          label="mark-all-as-read")

    async def subscribe(self, url: str, title: str, categories: Sequence[str]) -> str:
        response = await self._api("POST", "subscription/quickadd", label="quickadd",
                                   data={"quickadd": url, "T": await self._write_token()})
        body = json_body(response, self.http.host, "quickadd")
        stream = body.get("streamId") if isinstance(body, dict) else None
        if not isinstance(stream, str) or not body.get("numResults"):
            reason = body.get("error") if isinstance(body, dict) else None
            raise SyncServerError(f"sync: {self.http.host} could not subscribe to {url}"
                                  + (f" ({sanitize_line(str(reason), 120)})" if reason else ""))
        edit: dict[str, Any] = {"ac": "edit", "s": stream}
        if title:
            edit["t"] = title
        if categories:
            edit["a"] = LABEL + categories[0]
        if len(edit) > 2:
            await self._write("subscription/edit", edit, label="subscription/edit")
        return stream

    async def unsubscribe(self, stream: str) -> None:
        await self._write("subscription/edit", {"ac": "unsubscribe", "s": stream},
                          label="subscription/edit")

    async def _write_token(self) -> str:
        if not self._token:
            response = await self._api("GET", "token", label="token")
            self._token = response.text.strip()
        return self._token


def _list(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise SyncProtocolError(f"sync: the server's answer has {key} of the wrong shape")
    return [entry for entry in value if isinstance(entry, dict)]


def contents_items(body: bytes, host: str) -> list[ServerItem]:
    """The items of a ``stream/items/contents`` answer (in a worker: see ``ItemsAnswer``)."""
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SyncProtocolError(f"sync: {host} sent something that is not JSON for contents") from None
    if not isinstance(answer, dict):
        raise SyncProtocolError(f"sync: {host} sent an unexpected answer to contents")
    return [item for item in map(_item, _list(answer, "items")) if item is not None]


def _item(raw: dict[str, Any]) -> ServerItem | None:
    try:
        sid = decimal_id(raw.get("id"))
    except ValueError:
        return None
    links = [link.get("href") for key in ("canonical", "alternate")
             for link in raw.get(key) or () if isinstance(link, dict)]
    url = next((link for link in links if isinstance(link, str) and link), "")
    found = raw.get("origin")
    origin: dict[str, Any] = found if isinstance(found, dict) else {}
    content = raw.get("content") or raw.get("summary") or {}
    html = content.get("content", "") if isinstance(content, dict) else ""
    try:
        published = float(raw["published"]) if raw.get("published") else None
    except (TypeError, ValueError):
        published = None
    try:
        crawled = int(raw.get("crawlTimeMsec") or 0) * 1000 + 999 if raw.get("crawlTimeMsec") \
            else int(raw.get("timestampUsec") or 0)
    except (TypeError, ValueError):
        crawled = 0
    return ServerItem(sid=sid, stream=str(origin.get("streamId") or ""), url=url,
                      title=str(raw.get("title") or ""), html=str(html or ""),
                      author=str(raw.get("author") or ""), published=published,
                      crawled_usec=crawled)
