// Fuzzes http::MultipartParser (the streaming multipart/form-data parser uploads go through) and
// MultipartParser::boundary_of.
//
// Input: a ChunkPlan (fuzz_support.hpp): [head][k chunk sizes][payload]. Option bits (head >> 3):
//   1: the payload's first line is a Content-Type for boundary_of; when it yields a boundary the
//      rest is parsed with it, otherwise with kBoundary.
//   2: the data handler refuses the part data past 64 bytes, as UploadSink does past its limit.
// The payload is parsed twice: fed in the planned chunks and fed whole. Both must give the same
// parts and the same verdict: a streaming parser does not depend on where the network split the
// bytes (the part-header size limit included).
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "hrms/http/multipart.hpp"

using hrms::ErrorCode;
using hrms::Result;
using hrms::http::MultipartParser;
using hrms::http::PartHeaders;

namespace {

constexpr std::string_view kBoundary = "XyZzy-boundary";
constexpr std::size_t kRefuseAfter = 64;

// What a parse produced: a log of events (data runs merged), the first error, and whether the
// handler calls came in a legal order.
struct Run {
    std::string log;
    std::string error;  // empty: no error
    ErrorCode code = ErrorCode::internal;
    bool in_part = false;
    std::size_t data_bytes = 0;
    int parts = 0;
    bool refuse_large = false;
};

MultipartParser::Handler handler_for(Run& run) {
    return {
        [&run](PartHeaders const& h) -> Result<void> {
            FUZZ_CHECK(!run.in_part, run.log);  // begin never nests
            run.in_part = true;
            ++run.parts;
            run.log += "\nB[" + h.name + "]";
            run.log += h.filename ? "[" + *h.filename + "]" : "-";
            run.log += "[" + h.content_type + "]\n";
            return {};
        },
        [&run](std::string_view bytes) -> Result<void> {
            FUZZ_CHECK(run.in_part, run.log);  // data only inside a part
            FUZZ_CHECK(!bytes.empty(), run.log);
            run.data_bytes += bytes.size();
            if (run.refuse_large && run.data_bytes > kRefuseAfter)
                return hrms::fail(ErrorCode::payload_too_large, "part is too large");
            run.log.append(bytes);
            return {};
        },
        [&run]() -> Result<void> {
            FUZZ_CHECK(run.in_part, run.log);  // end only after begin
            run.in_part = false;
            run.log += "\nE";
            return {};
        },
    };
}

// Feeds `pieces` to a fresh parser as the server does: stop at the first error, finish() after
// the last piece.
template <class ForEach>
Run parse(std::string const& boundary, bool refuse_large, std::string_view body, ForEach for_each) {
    Run run;
    run.refuse_large = refuse_large;
    MultipartParser parser(boundary, handler_for(run));
    for_each([&](std::string_view piece) {
        auto r = parser.feed(piece);
        if (!r) {
            run.error = r.error().message;
            run.code = r.error().code;
            FUZZ_CHECK(!run.error.empty(), body);
            return false;
        }
        return true;
    });
    if (run.error.empty()) {
        auto r = parser.finish();
        if (!r) {
            run.error = r.error().message;
            run.code = r.error().code;
            FUZZ_CHECK(run.code == ErrorCode::bad_request, run.error);
        } else {
            // A finished body closed every part it opened.
            FUZZ_CHECK(!run.in_part, run.log);
        }
    }
    if (!run.error.empty() && run.code != ErrorCode::payload_too_large)
        FUZZ_CHECK(run.code == ErrorCode::bad_request, run.error);
    // The parser never invents bytes: part data is at most the body.
    FUZZ_CHECK(run.data_bytes <= body.size(), body);
    return run;
}

void fuzz_boundary_of(std::string_view content_type, std::string& boundary) {
    auto b = MultipartParser::boundary_of(content_type);
    if (!b) {
        auto const code = b.error().code;
        FUZZ_CHECK(code == ErrorCode::unsupported_media_type || code == ErrorCode::bad_request, content_type);
        return;
    }
    // RFC 2046: 1..70 characters.
    FUZZ_CHECK(!b->empty() && b->size() <= 70, content_type);
    boundary = *b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto const plan = hrms::fuzz::ChunkPlan::from(data, size);
    std::string boundary(kBoundary);
    std::string_view body = plan.payload;
    if (plan.options & 1) {
        auto const eol = body.find("\r\n");
        auto const line = body.substr(0, eol);
        fuzz_boundary_of(line, boundary);
        body.remove_prefix(eol == std::string_view::npos ? body.size() : eol + 2);
    }
    bool const refuse_large = (plan.options & 2) != 0;

    // The planned pieces, over `body` (the plan's sizes, cycled).
    auto chunked = [&](auto&& f) {
        hrms::fuzz::ChunkPlan p = plan;
        p.payload = body;
        p.for_each_chunk(f);
    };
    auto whole = [&](auto&& f) {
        if (!body.empty()) f(body);
    };
    Run const a = parse(boundary, refuse_large, body, chunked);
    FUZZ_TRACE("multipart: boundary '%s', %zu chunk sizes, %d parts, %zu data bytes: %s", boundary.c_str(),
               plan.sizes.size(), a.parts, a.data_bytes, a.error.empty() ? "ok" : a.error.c_str());
    if (plan.sizes.empty() || refuse_large) return 0;  // nothing to compare
    Run const b = parse(boundary, refuse_large, body, whole);

    FUZZ_CHECK(a.error == b.error, a.error + " <> " + b.error);
    FUZZ_CHECK(a.log == b.log, a.log + "\n<>\n" + b.log);
    return 0;
}
