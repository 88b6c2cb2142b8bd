"""Documents: uploads (multipart), downloads, reviews, re-uploads, files on disk, and a full
onboarding from a new employee to an active one."""

import hashlib
import pathlib
import struct
import zlib

import pytest
import requests

from conftest import (REQUIRED_DOCUMENTS, assert_error, complete_details, decide, employee_at_documents,
                      feed, my_profile, profile_of, run_together, save_details, submit_stage)

UPLOAD = "/api/v1/profiles/me/documents"


# --------------------------------------------------------------------------------------------
# Files made here


def make_pdf(text: str = "hello") -> bytes:
    """A small, valid one-page PDF whose page shows `text` (so different texts differ)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_png(rgb: tuple[int, int, int] = (255, 0, 0)) -> bytes:
    """A valid 1x1 PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    raw = b"\x00" + bytes(rgb)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def make_exe() -> bytes:
    """The start of a Windows PE executable: an MZ header pointing at a PE header."""
    dos = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 0x38)
    dos += struct.pack("<I", 0x80)            # e_lfanew at 0x3c
    dos += b"\x00" * (0x80 - len(dos))
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    return bytes(dos) + b"PE\x00\x00" + coff + b"\x00" * 0xE0 + b"\x00" * 256


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------
# Helpers


def upload(server, token: str, doc_type: str | None, content: bytes | None, filename: str = "document.pdf",
           mime: str = "application/pdf") -> requests.Response:
    data = {"type": doc_type} if doc_type is not None else {}
    files = {"file": (filename, content, mime)} if content is not None else None
    if files is None:
        # Still multipart/form-data, with the type field only.
        files = {"type": (None, doc_type or "")}
        data = {}
    return server.post(UPLOAD, token, data=data, files=files)


def upload_ok(server, token: str, doc_type: str, content: bytes, filename: str = "document.pdf",
              mime: str = "application/pdf") -> dict:
    r = upload(server, token, doc_type, content, filename, mime)
    assert r.status_code == 201, r.text
    return r.json()


def upload_required(server, token: str, tag: str = "") -> dict[str, dict]:
    """Uploads one distinct PDF for each required type; returns the documents by type."""
    return {t: upload_ok(server, token, t, make_pdf(f"{t} {tag} {id(server)}"), f"{t}.pdf")
            for t in REQUIRED_DOCUMENTS}


def review(server, token: str, doc_id: int, decision: str, reason: str | None = None,
           bad: bool = False) -> requests.Response:
    body = {"decision": decision}
    if reason is not None:
        body["reason"] = reason
    return server.post(f"/api/v1/documents/{doc_id}/decision", token, json=body, bad=bad)


def document(server, doc_id: int, token: str | None = None) -> dict:
    r = server.get(f"/api/v1/documents/{doc_id}", token or server.admin_token)
    assert r.status_code == 200, r.text
    return r.json()


def files_under(path: pathlib.Path) -> list[str]:
    if not path.exists():
        return []
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


def store_state(server) -> tuple[list[str], list[str]]:
    """(files in blobs/, files in tmp/) of the server's data dir."""
    root = server.db.data_dir
    return files_under(root / "blobs"), files_under(root / "tmp")


def employee_with_documents_submitted(server, reviewer_token: str | None = None):
    user, token, profile = employee_at_documents(server, reviewer_token)
    docs = upload_required(server, token, tag=str(user["id"]))
    r = submit_stage(server, token)
    assert r.status_code == 200, r.text
    return user, token, r.json(), docs


@pytest.fixture(scope="module", autouse=True)
def uploads_enabled(server):
    """Skips the module while the upload route does not exist yet (404/405), so the tests turn on
    by themselves once it does."""
    _, token = server.user_with_token()
    r = upload(server, token, "id_proof", make_pdf("probe"))
    if r.status_code in (404, 405):
        pytest.skip(f"POST {UPLOAD} is not implemented yet (answered {r.status_code})")


# --------------------------------------------------------------------------------------------
# Uploading


def test_upload_stores_a_pending_document(server):
    user, token, profile = employee_at_documents(server)
    content = make_pdf("passport of " + user["email"])
    r = upload(server, token, "id_proof", content, "passport.pdf")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["type"] == "id_proof" and doc["filename"] == "passport.pdf"
    assert doc["size"] == len(content) and doc["sha256"] == sha256(content)
    assert doc["status"] == "pending" and doc["mime"] == "application/pdf"
    assert doc["current"] is True and doc["profile_id"] == profile["id"]
    assert doc["reviewed_by"] is None and doc["reviewed_at"] is None and doc["review_reason"] is None
    assert doc["uploaded_at"]
    assert r.headers.get("Location") == f"/api/v1/documents/{doc['id']}"
    assert document(server, doc["id"], token) == doc
    p = my_profile(server, token)
    assert p["documents"] == [doc]
    assert p["stage"] == "documents" and p["status"] == "draft" and p["progress"] == 40

    note = feed(server, token)["items"][-1]
    assert note["kind"] == "document.uploaded"
    assert note["data"] == {"profile_id": profile["id"], "document_id": doc["id"], "type": "id_proof"}

    blobs, tmp = store_state(server)
    h = doc["sha256"]
    assert f"{h[:2]}/{h[2:4]}/{h}" in blobs and tmp == []


def test_png_is_accepted_where_images_are_allowed(server):
    _, token, _ = employee_at_documents(server)
    png = make_png((1, 2, 3))
    doc = upload_ok(server, token, "address_proof", png, "bill.png", "image/png")
    assert doc["mime"] == "image/png" and doc["size"] == len(png)


def test_download_returns_the_same_bytes_as_an_attachment(server, admin_token):
    _, token, _ = employee_at_documents(server)
    _, rtoken = server.user_with_token(roles=["reviewer"])
    content = make_pdf("download me")
    doc = upload_ok(server, token, "tax_form", content, "P60 2024.pdf")
    for who in (token, rtoken, admin_token):
        r = server.get(f"/api/v1/documents/{doc['id']}/content", who)
        assert r.status_code == 200, r.text
        assert r.content == content
        assert r.headers["Content-Type"].startswith("application/pdf")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        disposition = r.headers["Content-Disposition"]
        assert disposition.startswith("attachment;"), disposition
        assert 'filename="P60 2024.pdf"' in disposition, disposition
        assert int(r.headers["Content-Length"]) == len(content)


def test_upload_over_the_size_limit_is_413_and_stores_nothing(start_server):
    srv = start_server({"HRMS_MAX_UPLOAD_BYTES": "4096"})
    _, token, _ = employee_at_documents(srv)
    base = make_pdf("limit")
    exact = base + b"%" + b"x" * (4096 - len(base) - 2) + b"\n"
    assert len(exact) == 4096
    before = store_state(srv)
    for size in (4097, 20000):
        big = base + b"%" + b"x" * (size - len(base) - 2) + b"\n"
        assert len(big) == size
        assert_error(upload(srv, token, "id_proof", big, "big.pdf"), 413, "payload_too_large")
        assert my_profile(srv, token)["documents"] == []
        assert store_state(srv) == before
    # Exactly the limit is allowed.
    doc = upload_ok(srv, token, "id_proof", exact, "exact.pdf")
    assert doc["size"] == 4096


@pytest.mark.parametrize("doc_type,content,filename,mime", [
    ("tax_form", make_exe(), "x.pdf", "application/pdf"),
    ("id_proof", make_exe(), "passport.pdf", "application/pdf"),
    ("tax_form", make_png(), "tax.pdf", "application/pdf"),
    ("tax_form", b"just some text, not a PDF at all\n" * 10, "tax.pdf", "application/pdf"),
    ("id_proof", b"<html><script>alert(1)</script></html>\n", "passport.png", "image/png"),
])
def test_content_not_allowed_for_the_type_is_415_and_stores_nothing(server, doc_type, content, filename, mime):
    _, token, _ = employee_at_documents(server)
    before = store_state(server)
    err = assert_error(upload(server, token, doc_type, content, filename, mime), 415, "unsupported_media_type")
    assert err["details"]["field"] == "file", err
    assert err["details"]["detected"] != "application/pdf", err
    p = my_profile(server, token)
    assert p["documents"] == [] and p["status"] == "draft"
    assert store_state(server) == (before[0], [])
    assert all(n["kind"] != "document.uploaded" for n in feed(server, token)["items"])


def test_unknown_type_empty_file_and_missing_parts_are_422(server):
    _, token, _ = employee_at_documents(server)
    before = store_state(server)
    assert_error(upload(server, token, "passport", make_pdf("x")), 422, "validation_failed", "type")
    assert_error(upload(server, token, "", make_pdf("x")), 422, "validation_failed", "type")
    assert_error(upload(server, token, None, make_pdf("x")), 422, "validation_failed", "type")
    assert_error(upload(server, token, "id_proof", b""), 422, "validation_failed", "file")
    assert_error(upload(server, token, "id_proof", None), 422, "validation_failed", "file")
    assert my_profile(server, token)["documents"] == []
    assert store_state(server) == (before[0], [])


def test_upload_needs_multipart_form_data(server):
    _, token, _ = employee_at_documents(server)
    r = server.post(UPLOAD, token, json={"type": "id_proof", "file": "JVBERi0xLjQK"}, bad=True)
    assert_error(r, 415, "unsupported_media_type")
    r = server.post(UPLOAD, token, data=make_pdf("raw"), headers={"Content-Type": "application/pdf"},
                    bad=True)
    assert_error(r, 415, "unsupported_media_type")
    assert my_profile(server, token)["documents"] == []
    assert store_state(server)[1] == []


def test_path_traversal_filename_is_stored_without_directories(server):
    _, token, _ = employee_at_documents(server)
    root = server.db.data_dir
    content = make_pdf("traversal")
    doc = upload_ok(server, token, "tax_form", content, "../../etc/passwd.pdf")
    assert doc["filename"] == "passwd.pdf"
    doc2 = upload_ok(server, token, "id_proof", make_pdf("traversal 2"), "..\\..\\windows\\evil.pdf")
    assert doc2["filename"] == "evil.pdf"
    doc3 = upload_ok(server, token, "address_proof", make_pdf("traversal 3"), "/abs/path/.hidden.pdf")
    assert doc3["filename"] == "hidden.pdf"
    r = server.get(f"/api/v1/documents/{doc['id']}/content", token)
    assert r.status_code == 200 and r.content == content
    assert 'filename="passwd.pdf"' in r.headers["Content-Disposition"]
    # No file took the client's name or path, inside the server's directory or above it.
    assert not list(root.parent.rglob("passwd.pdf")) and not list(root.parent.rglob("evil.pdf"))
    assert not (root.parent.parent / "etc").exists() and not pathlib.Path("/etc/passwd.pdf").exists()
    assert store_state(server)[1] == []


def test_uploading_outside_the_documents_stage_is_409(server):
    _, token = server.user_with_token()
    before = store_state(server)
    assert_error(upload(server, token, "id_proof", make_pdf("too early")), 409, "conflict")
    assert my_profile(server, token)["documents"] == []
    # ... and while the documents await review.
    _, token2, _, docs = employee_with_documents_submitted(server)
    assert_error(upload(server, token2, "education_certificate", make_pdf("while in review")), 409, "conflict")
    assert sorted(d["id"] for d in my_profile(server, token2)["documents"]) == sorted(d["id"] for d in docs.values())
    assert store_state(server)[1] == []
    assert set(store_state(server)[0]) >= set(before[0])


def test_no_orphan_files_after_refused_uploads(start_server):
    srv = start_server({"HRMS_MAX_UPLOAD_BYTES": "8192"})
    _, early_token = srv.user_with_token()
    _, token, _ = employee_at_documents(srv)
    blobs_before, tmp_before = store_state(srv)
    assert tmp_before == []
    big = make_pdf("big") + b"%" + b"x" * 9000 + b"\n"
    refused = [
        (upload(srv, token, "id_proof", big), 413),
        (upload(srv, token, "tax_form", make_exe(), "x.pdf"), 415),
        (upload(srv, token, "passport", make_pdf("unknown type")), 422),
        (upload(srv, token, "id_proof", b""), 422),
        (upload(srv, early_token, "id_proof", make_pdf("wrong stage")), 409),
    ]
    for r, status in refused:
        assert r.status_code == status, (status, r.status_code, r.text)
    assert store_state(srv) == (blobs_before, [])
    assert my_profile(srv, token)["documents"] == []
    # A good upload afterwards adds exactly one blob and still leaves tmp/ empty.
    doc = upload_ok(srv, token, "id_proof", make_pdf("good one"))
    blobs_after, tmp_after = store_state(srv)
    h = doc["sha256"]
    assert blobs_after == sorted(blobs_before + [f"{h[:2]}/{h[2:4]}/{h}"]) and tmp_after == []


def test_same_content_twice_is_stored_once(server):
    _, token, _ = employee_at_documents(server)
    content = make_pdf("twice " + str(id(token)))
    a = upload_ok(server, token, "id_proof", content, "a.pdf")
    b = upload_ok(server, token, "address_proof", content, "b.pdf")
    assert a["sha256"] == b["sha256"] and a["id"] != b["id"]
    h = a["sha256"]
    assert store_state(server)[0].count(f"{h[:2]}/{h[2:4]}/{h}") == 1
    assert server.get(f"/api/v1/documents/{b['id']}/content", token).content == content


def test_a_new_upload_of_a_pending_type_replaces_it(server):
    _, token, _ = employee_at_documents(server)
    old = upload_ok(server, token, "id_proof", make_pdf("first try"), "first.pdf")
    new = upload_ok(server, token, "id_proof", make_pdf("second try"), "second.pdf")
    assert document(server, old["id"])["current"] is False
    assert [d["id"] for d in my_profile(server, token)["documents"]] == [new["id"]]


def test_concurrent_uploads_of_one_type_leave_one_current_version(server):
    _, token, _ = employee_at_documents(server)
    for round_ in range(8):
        contents = [make_pdf(f"race {round_} {i} {token[:8]}") for i in range(2)]
        results = run_together(*[
            (lambda c=c: requests.post(f"{server.url}{UPLOAD}", headers={"Authorization": f"Bearer {token}"},
                                       data={"type": "id_proof"}, files={"file": ("race.pdf", c, "application/pdf")},
                                       timeout=20))
            for c in contents])
        assert all(r.status_code == 201 for r in results), [(r.status_code, r.text) for r in results]
        current = [d for d in my_profile(server, token)["documents"] if d["type"] == "id_proof"]
        assert len(current) == 1, current
        ids = [r.json()["id"] for r in results]
        assert current[0]["id"] == max(ids)
        assert document(server, min(ids))["current"] is False


# --------------------------------------------------------------------------------------------
# Who sees what


def test_other_employees_documents_are_404(server, admin_token):
    _, token, _ = employee_at_documents(server)
    _, other_token = server.user_with_token()
    _, rtoken = server.user_with_token(roles=["reviewer"])
    doc = upload_ok(server, token, "id_proof", make_pdf("private"))
    not_found = assert_error(server.get(f"/api/v1/documents/{doc['id']}", other_token), 404, "not_found")
    assert_error(server.get(f"/api/v1/documents/{doc['id']}/content", other_token), 404, "not_found")
    missing = assert_error(server.get("/api/v1/documents/987654321", other_token), 404, "not_found")
    assert not_found["message"] == missing["message"]
    assert document(server, doc["id"], rtoken)["id"] == doc["id"]
    assert document(server, doc["id"], admin_token)["id"] == doc["id"]


# --------------------------------------------------------------------------------------------
# Reviews


def test_document_review_rules(server):
    _, token, _ = employee_at_documents(server)
    _, rtoken = server.user_with_token(roles=["reviewer"])
    doc = upload_ok(server, token, "id_proof", make_pdf("review rules"))
    # Not awaiting review yet.
    assert_error(review(server, rtoken, doc["id"], "approve"), 409, "conflict")
    for t in REQUIRED_DOCUMENTS[1:]:
        upload_ok(server, token, t, make_pdf(f"rules {t} {doc['id']}"))
    assert submit_stage(server, token).status_code == 200
    assert_error(review(server, token, doc["id"], "approve"), 403, "forbidden")
    assert_error(review(server, rtoken, doc["id"], "reject"), 422, "validation_failed", "reason")
    assert_error(review(server, rtoken, doc["id"], "reject", "  "), 422, "validation_failed", "reason")
    assert_error(review(server, rtoken, doc["id"], "shred", bad=True), 422, "validation_failed", "decision")
    assert_error(review(server, rtoken, 987654321, "approve"), 404, "not_found")
    assert document(server, doc["id"])["status"] == "pending"
    # Approving the stage needs every required document approved.
    err = assert_error(decide(server, rtoken, my_profile(server, token)["id"], "documents", "approve"), 409,
                       "conflict")
    assert err["details"]["not_approved"] == REQUIRED_DOCUMENTS, err
    assert my_profile(server, token)["stage"] == "documents"


def test_reupload_of_a_rejected_document_replaces_it(server):
    user, token, profile, docs = employee_with_documents_submitted(server)
    rev, rtoken = server.user_with_token(roles=["reviewer"])
    pid = profile["id"]
    old = docs["id_proof"]
    r = review(server, rtoken, old["id"], "reject", "The scan is blurred")
    assert r.status_code == 200, r.text
    rejected = r.json()
    assert rejected["status"] == "rejected" and rejected["review_reason"] == "The scan is blurred"
    assert rejected["reviewed_by"] == rev["id"] and rejected["reviewed_at"]
    note = feed(server, token)["items"][-1]
    assert note["kind"] == "document.reviewed"
    assert note["data"]["decision"] == "reject" and note["data"]["reason"] == "The scan is blurred"
    assert note["data"]["document_id"] == old["id"]
    assert review(server, rtoken, docs["tax_form"]["id"], "approve").status_code == 200

    # The stage goes back to the employee, who replaces the rejected file.
    r = decide(server, rtoken, pid, "documents", "reject", "Please upload a clearer proof of identity")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected" and r.json()["stage"] == "documents"
    # The rejected document blocks submission until it is replaced.
    err = assert_error(submit_stage(server, token), 422, "validation_failed", "documents")
    assert err["details"]["missing"] == ["id_proof"], err
    # An approved document cannot be replaced.
    assert_error(upload(server, token, "tax_form", make_pdf("new tax form")), 409, "conflict")

    content = make_pdf("a clearer scan")
    new = upload_ok(server, token, "id_proof", content, "clear.pdf")
    assert new["id"] != old["id"] and new["status"] == "pending" and new["current"] is True
    old_now = document(server, old["id"], token)
    assert old_now["current"] is False and old_now["status"] == "rejected"
    current = {d["type"]: d for d in my_profile(server, token)["documents"]}
    assert current["id_proof"]["id"] == new["id"]
    assert sorted(current) == sorted(REQUIRED_DOCUMENTS)
    assert server.get(f"/api/v1/documents/{new['id']}/content", token).content == content

    assert submit_stage(server, token).status_code == 200
    # The old version cannot be reviewed any more.
    assert_error(review(server, rtoken, old["id"], "approve"), 409, "conflict")
    assert review(server, rtoken, new["id"], "approve").status_code == 200


def test_final_rejection_sends_the_profile_back(server, admin_token):
    _, token, profile, docs = employee_with_documents_submitted(server)
    pid = profile["id"]
    for d in docs.values():
        assert review(server, admin_token, d["id"], "approve").status_code == 200
    assert decide(server, admin_token, pid, "documents", "approve").status_code == 200
    # send_back_to names details or documents; anything else is 422.
    for bad in ("final", "completed"):
        r = server.post(f"/api/v1/profiles/{pid}/decision", admin_token,
                        json={"stage": "final", "decision": "reject", "reason": "x", "send_back_to": bad},
                        bad=True)
        assert_error(r, 422, "validation_failed", "send_back_to")
    assert my_profile(server, token)["stage"] == "final"
    r = server.post(f"/api/v1/profiles/{pid}/decision", admin_token,
                    json={"stage": "final", "decision": "reject", "reason": "Your surname is misspelt",
                          "send_back_to": "details"})
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["stage"] == "details" and p["status"] == "rejected"
    note = feed(server, token)["items"][-1]
    assert note["kind"] == "profile.rejected" and note["data"]["reason"] == "Your surname is misspelt"
    # The employee can correct the details again.
    assert save_details(server, token, complete_details(last_name="Byron")).status_code == 200


# --------------------------------------------------------------------------------------------
# The whole journey


def test_full_onboarding_of_one_employee_to_completed(server, admin_token):
    user, token = server.user_with_token(name="Complete Journey")
    rev, rtoken = server.user_with_token(roles=["reviewer"])
    p = my_profile(server, token)
    pid = p["id"]
    assert (p["stage"], p["status"], p["progress"], p["history"]) == ("details", "draft", 0, [])
    r = server.post(f"/api/v1/profiles/{pid}/assign", admin_token, json={"reviewer_id": rev["id"]})
    assert r.status_code == 200, r.text

    # Details: a draft, then complete, then submitted.
    r = save_details(server, token, {"first_name": "Ada", "last_name": "Lovelace", "phone": "+44 20 7946 0958"})
    assert r.status_code == 200 and r.json()["progress"] == 10, r.text
    r = save_details(server, token, complete_details())
    assert r.status_code == 200 and r.json()["progress"] == 30, r.text
    assert_error(upload(server, token, "id_proof", make_pdf("too early")), 409, "conflict")
    r = submit_stage(server, token)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["sla"]["stage"], r.json()["sla"]["state"]) == ("submitted", "details",
                                                                                       "running")
    assert pid in [x["id"] for x in server.get("/api/v1/profiles", rtoken,
                                               params={"assignee": rev["id"], "status": "submitted"}).json()["items"]]

    # Details approved: documents, the employee's turn.
    r = decide(server, rtoken, pid, "details", "approve")
    assert r.status_code == 200, r.text
    assert (r.json()["stage"], r.json()["status"], r.json()["progress"]) == ("documents", "draft", 40)

    # Four required documents, then submit.
    contents = {"id_proof": make_png((9, 9, 9)), "address_proof": make_pdf(f"address {pid}"),
                "tax_form": make_pdf(f"tax {pid}"), "bank_details": make_pdf(f"bank {pid}")}
    docs = {}
    for t, content in contents.items():
        mime = "image/png" if content.startswith(b"\x89PNG") else "application/pdf"
        docs[t] = upload_ok(server, token, t, content, f"{t}.{mime.split('/')[1]}", mime)
    assert my_profile(server, token)["progress"] == 40  # uploads are not approvals
    r = submit_stage(server, token)
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["stage"], p["status"]) == ("documents", "submitted")
    assert p["sla"]["stage"] == "documents" and p["sla"]["budget_hours"] == pytest.approx(72)

    # The reviewer approves each document; progress rises with each.
    expected = [47, 55, 62, 70]
    for (t, d), want in zip(docs.items(), expected):
        r = server.get(f"/api/v1/documents/{d['id']}/content", rtoken)
        assert r.status_code == 200 and r.content == contents[t]
        r = review(server, rtoken, d["id"], "approve")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "approved" and r.json()["reviewed_by"] == rev["id"]
        assert my_profile(server, token)["progress"] == want

    # Documents approved: final review, the reviewers' turn at once.
    r = decide(server, rtoken, pid, "documents", "approve")
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["stage"], p["status"], p["progress"]) == ("final", "submitted", 85)
    assert p["sla"]["stage"] == "final" and p["sla"]["state"] == "running"
    assert p["sla"]["budget_hours"] == pytest.approx(24)

    # Final approval: completed and active.
    r = decide(server, rtoken, pid, "final", "approve", "Welcome!")
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["stage"], p["progress"], p["employment_status"]) == ("completed", 100, "active")
    assert p["sla"] is None and p["sla_due_at"] is None
    assert my_profile(server, token) == p
    assert profile_of(server, pid, admin_token) == p
    assert [(h["from"]["stage"], h["to"]["stage"], h["to"]["status"], h["decision"]) for h in p["history"]] == [
        ("details", "details", "submitted", None),
        ("details", "documents", "draft", "approve"),
        ("documents", "documents", "submitted", None),
        ("documents", "final", "submitted", "approve"),
        ("final", "completed", "submitted", "approve"),
    ]
    assert {d["type"]: d["status"] for d in p["documents"]} == {t: "approved" for t in REQUIRED_DOCUMENTS}

    items = feed(server, token)["items"]
    assert [n["kind"] for n in items] == (
        ["profile.submitted", "profile.stage_advanced"] + ["document.uploaded"] * 4 + ["profile.submitted"]
        + ["document.reviewed"] * 4 + ["profile.stage_advanced", "profile.completed"])
    assert items[1]["data"]["stage"] == "documents" and items[1]["data"]["progress"] == 40
    assert items[-2]["data"]["stage"] == "final" and items[-2]["data"]["progress"] == 85
    assert items[-1]["data"]["profile_id"] == pid
    assert all(n["data"]["decision"] == "approve" for n in items if n["kind"] == "document.reviewed")
    assert server.get("/api/v1/profiles", rtoken, params={"stage": "completed", "q": user["email"]}).json()[
        "items"][0]["id"] == pid

    # Nothing moves a completed profile any more.
    assert_error(decide(server, rtoken, pid, "final", "approve"), 409, "conflict")
    assert_error(submit_stage(server, token), 409, "conflict")
    assert_error(save_details(server, token, complete_details(first_name="After")), 409, "conflict")
    assert_error(upload(server, token, "education_certificate", make_pdf("late")), 409, "conflict")
    assert my_profile(server, token) == p
