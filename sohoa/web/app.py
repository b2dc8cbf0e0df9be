"""The review queue and search pages: FastAPI, server-rendered Jinja2 pages, a login cookie.

Pages, all behind the login: ``/queue`` (per commune, the dossiers with fields to check),
``/dossier?key=…`` (each flagged field: the scan cropped round it, the value, the reason;
Enter saves: unchanged values are confirmed, changed ones corrected), ``/search`` (with
filters) and ``/page?key=…&page=…&q=…`` (a hit: the page with the words highlighted).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from pipeline import archive, review, search
from pipeline.core.errors import SohoaError
from pipeline.core.record import Record
from sohoa.web import users as reviewers

HERE = Path(__file__).parent


@dataclass
class Library:
    """What the pages read and write: the archive, the index (one user at a time), the reviewers."""

    store: archive.Store
    index: search.Index
    users: Callable[[], dict[str, str]]
    permanent_retention_years: int = 100

    def __post_init__(self) -> None:
        self.lock = threading.Lock()

    def sync(self) -> search.SyncReport:
        with self.lock:
            return search.sync(self.index, self.store)

    def reindex(self, key: str) -> None:
        with self.lock:
            search.index_dossier(self.index, self.store, key)


class _LoginNeeded(Exception):
    pass


def _user(request: Request) -> str:
    """The reviewer logged in (still in the users file), or off to the login page."""
    name = request.session.get("user")
    if not name or name not in request.app.state.library.users():
        raise _LoginNeeded()
    return str(name)


User = Annotated[str, Depends(_user)]


def create_app(library: Library, *, cookie_key: str, secure_cookie: bool = False) -> FastAPI:
    app = FastAPI(title="sohoa review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.library = library
    app.add_middleware(SessionMiddleware, secret_key=cookie_key, session_cookie="sohoa_review",
                       max_age=12 * 3600, same_site="strict", https_only=secure_cookie)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = Jinja2Templates(directory=HERE / "templates")
    pages.env.globals["label"] = review.label

    @app.exception_handler(_LoginNeeded)
    async def to_login(request: Request, exc: _LoginNeeded) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?next=" + urllib.parse.quote(target), status_code=303)

    def csrf(request: Request, token: str) -> None:
        if not secrets.compare_digest(token, request.session.get("csrf", "")):
            raise HTTPException(403, "Phiên làm việc đã hết hạn, hãy tải lại trang / The session expired: reload")

    def render(request: Request, name: str, **context: Any) -> HTMLResponse:
        context.setdefault("user", request.session.get("user"))
        context.setdefault("csrf", request.session.get("csrf", ""))
        context.setdefault("flash", request.session.pop("flash", None))
        return pages.TemplateResponse(request, name, context)

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/queue") -> HTMLResponse:
        return render(request, "login.html", next=next, error=None)

    @app.post("/login")
    def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
              next: Annotated[str, Form()] = "/queue") -> Response:
        stored = library.users().get(username.strip())
        if stored is None or not reviewers.verify_password(password, stored):
            page = render(request, "login.html", next=next, error=(
                "Sai tên đăng nhập hoặc mật khẩu", "Wrong user name or password"))
            page.status_code = 401
            return page
        request.session.clear()
        request.session.update(user=username.strip(), csrf=secrets.token_urlsafe(24))
        # Only a path of this site: never send a reviewer elsewhere after login.
        target = next if next.startswith("/") and not next.startswith("//") else "/queue"
        return RedirectResponse(target, status_code=303)

    @app.post("/logout")
    def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/")
    def home(who: User) -> Response:
        return RedirectResponse("/queue", status_code=303)

    @app.get("/queue", response_class=HTMLResponse)
    def queue(request: Request, who: User, commune: str | None = None) -> HTMLResponse:
        with library.lock:
            communes = library.index.communes()
            if commune is None:
                commune = next((c for c, _, _, todo in communes if todo), communes[0][0] if communes else None)
            items = library.index.queue(commune) if commune else []
        return render(request, "queue.html", communes=communes, commune=commune, items=items)

    @app.get("/dossier", response_class=HTMLResponse)
    def dossier(request: Request, who: User, key: str) -> HTMLResponse:
        rec, version = _load(library, key)
        return render(request, "dossier.html", key=key, rec=rec, version=version, flags=review.flagged(rec),
                      error=None, typed={}, next_key=_next_in_queue(library, rec, key))

    @app.post("/dossier")
    async def save(request: Request, who: User) -> Response:
        form = await request.form()
        csrf(request, str(form.get("csrf", "")))
        key, version = str(form["key"]), str(form.get("version") or "") or None
        decisions, typed = [], {}
        for name, value in form.multi_items():
            if not name.startswith("f:"):
                continue
            _, document, field = name.split(":", 2)
            typed[name] = str(value)
            decisions.append(review.Decision(int(document) if document else None, field, str(value)))
        try:
            rec, result = await _in_thread(lambda: review.save(
                library.store, key, decisions, by=who, based_on=version,
                permanent_retention_years=library.permanent_retention_years))
        except SohoaError as e:
            rec, version = _load(library, key)
            page = render(request, "dossier.html", key=key, rec=rec, version=version, flags=review.flagged(rec),
                          error=(e.message_vi, e.message), typed=typed, next_key=_next_in_queue(library, rec, key))
            page.status_code = 409 if isinstance(e, archive.amend.StaleVersionError) else 422
            return page
        await _in_thread(lambda: library.reindex(key))
        changed = sum(1 for e in rec.events[-len(decisions):] if e.type == "correction") if decisions else 0
        request.session["flash"] = (f"Đã lưu {rec.dossier.title}: {changed} trường sửa, "
                                    f"{len(decisions) - changed} trường xác nhận (phiên bản mới).",
                                    f"Saved: {changed} corrected, {len(decisions) - changed} confirmed "
                                    f"(version {result.record_version_id}).")
        nxt = _next_in_queue(library, rec, key)
        target = ("/dossier?key=" + urllib.parse.quote(nxt)) if nxt else "/queue?commune=" + _commune(rec)
        return RedirectResponse(target, status_code=303)

    @app.get("/image/field")
    def field_image(who: User, key: str, field: str, document: int | None = None) -> Response:
        rec, _ = _load(library, key)
        doc = next((d for d in rec.documents if d.doc_ordinal == document), None)
        value = review.value_of(doc, field) if doc is not None else review.value_of(rec.dossier, field)
        pages = range(doc.pages[0], doc.pages[1] + 1) if doc is not None else range(1, 2)
        # The page of the document where the value's words are, else its first page.
        best: tuple[int, list[review.WordBox]] = (pages[0], [])
        for number in pages:
            run = review.value_run(review.page_words(library.store, key, rec, number), value or "")
            if len(run) > len(best[1]):
                best = (number, run)
        img = review.load_page(library.store, key, rec, best[0])
        crop = review.field_crop(img.size, field, best[1])
        return _jpeg(review.page_image(img, highlight=best[1], crop_to=crop, max_width=900))

    @app.get("/image/page")
    def page_image(who: User, key: str, page: int, q: str = "") -> Response:
        rec, _ = _load(library, key)
        words = review.matching(review.page_words(library.store, key, rec, page), review.folded_words(q))
        img = review.load_page(library.store, key, rec, page)
        return _jpeg(review.page_image(img, highlight=words, max_width=1400))

    @app.get("/search", response_class=HTMLResponse)
    def search_page(
        request: Request, who: User, q: str = "", commune: str = "", type: str = "",
        date_from: Annotated[str, Query(alias="from")] = "", date_to: Annotated[str, Query(alias="to")] = "",
        signer: str = "", needs_review: str = "",
    ) -> HTMLResponse:
        form = {"q": q, "commune": commune, "type": type, "from": date_from, "to": date_to, "signer": signer,
                "needs_review": needs_review}
        hits: list[search.Hit] = []
        error = None
        asked = any(form.values())
        if asked:
            try:
                query = search.Query(q, commune=commune or None, type=type or None,
                                     date_from=_date(date_from), date_to=_date(date_to), signer=signer or None,
                                     needs_review={"yes": True, "no": False}.get(needs_review))
                with library.lock:
                    hits = library.index.search(query)
            except ValueError:
                error = ("Ngày không hợp lệ (năm-tháng-ngày)", "Not a date (YYYY-MM-DD)")
        with library.lock:
            communes = library.index.communes()
        return render(request, "search.html", form=form, hits=hits, asked=asked, error=error, communes=communes)

    @app.get("/page", response_class=HTMLResponse)
    def page_view(request: Request, who: User, key: str, page: int, q: str = "") -> HTMLResponse:
        rec, _ = _load(library, key)
        if not any(p.number == page for p in rec.pages):
            raise HTTPException(404, "Không có trang này / No such page")
        doc = next((d for d in rec.documents if d.pages[0] <= page <= d.pages[1]), None)
        found = len(review.matching(review.page_words(library.store, key, rec, page), review.folded_words(q)))
        return render(request, "page.html", key=key, rec=rec, page=page, doc=doc, q=q, found=found)

    return app


async def _in_thread(fn: Callable[[], Any]) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn)


def _load(library: Library, key: str) -> tuple[Record, str | None]:
    try:
        return review.load(library.store, key)
    except SohoaError as e:
        raise HTTPException(404, f"{e.message_vi} / {e.message}") from None


def _commune(rec: Record) -> str:
    return rec.dossier.commune.code if rec.dossier.commune else ""


def _next_in_queue(library: Library, rec: Record, key: str) -> str | None:
    with library.lock:
        keys = [item.key for item in library.index.queue(_commune(rec) or None)]
    after = [k for k in keys if k > key] or [k for k in keys if k != key]
    return after[0] if after else None


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _jpeg(data: bytes) -> Response:
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=60"})
