#include "hrms/http/multipart.hpp"

#include "hrms/core/text.hpp"

namespace hrms::http {

namespace {
constexpr std::size_t kMaxHeaderBlock = 8 * 1024;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The value of `key` among "; key=value" or '; key="value"' parameters.
std::optional<std::string> param(std::string_view header, std::string_view key) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        auto const semi = header.find(';', pos);
        if (semi == std::string_view::npos) break;
        pos = semi + 1;
        auto const eq = header.find('=', pos);
        if (eq == std::string_view::npos) break;
        if (core::ascii_lower(trim(header.substr(pos, eq - pos))) != key) continue;
        std::size_t v = eq + 1;
        while (v < header.size() && header[v] == ' ') ++v;
        if (v < header.size() && header[v] == '"') {
            std::string out;
            for (++v; v < header.size() && header[v] != '"'; ++v) {
                if (header[v] == '\\' && v + 1 < header.size()) ++v;
                out.push_back(header[v]);
            }
            return out;
        }
        auto const end = header.find(';', v);
        return std::string(trim(header.substr(v, end == std::string_view::npos ? std::string_view::npos : end - v)));
    }
    return std::nullopt;
}

std::unexpected<Error> malformed(std::string what) {
    return fail(ErrorCode::bad_request, "malformed multipart body: " + std::move(what));
}
}  // namespace

Result<std::string> MultipartParser::boundary_of(std::string_view content_type) {
    auto const semi = content_type.find(';');
    if (core::ascii_lower(trim(content_type.substr(0, semi))) != "multipart/form-data")
        return fail(ErrorCode::unsupported_media_type, "Content-Type must be multipart/form-data");
    auto b = param(content_type, "boundary");
    if (!b || b->empty() || b->size() > 70) return fail(ErrorCode::bad_request, "multipart boundary is missing or too long");
    return *b;
}

MultipartParser::MultipartParser(std::string boundary, Handler handler)
    : delimiter_("\r\n--" + boundary), handler_(std::move(handler)) {
    // The first boundary has no CRLF before it: pretend it had, so one search finds all.
    buf_ = "\r\n";
}

Result<void> MultipartParser::feed(std::string_view bytes) {
    buf_.append(bytes);
    return run();
}

Result<void> MultipartParser::finish() {
    if (state_ != State::done) return malformed("it ends before the closing boundary");
    return {};
}

Result<PartHeaders> MultipartParser::parse_headers(std::string_view block) {
    PartHeaders h;
    bool has_disposition = false;
    std::size_t pos = 0;
    while (pos < block.size()) {
        auto const eol = block.find("\r\n", pos);
        auto const line = block.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        pos = eol == std::string_view::npos ? block.size() : eol + 2;
        if (line.empty()) continue;
        auto const colon = line.find(':');
        if (colon == std::string_view::npos) return malformed("a part header has no colon");
        auto const name = core::ascii_lower(trim(line.substr(0, colon)));
        auto const value = trim(line.substr(colon + 1));
        if (name == "content-disposition") {
            if (core::ascii_lower(value.substr(0, value.find(';'))) != "form-data") return malformed("a part is not form-data");
            auto n = param(value, "name");
            if (!n) return malformed("a part has no name");
            h.name = *n;
            h.filename = param(value, "filename");
            has_disposition = true;
        } else if (name == "content-type") {
            h.content_type = std::string(value);
        }
    }
    if (!has_disposition) return malformed("a part has no Content-Disposition");
    return h;
}

Result<void> MultipartParser::run() {
    for (;;) {
        switch (state_) {
            case State::preamble: {
                auto const at = buf_.find(delimiter_);
                if (at == std::string::npos) {
                    // Keep only what could still be the start of the delimiter.
                    if (buf_.size() > delimiter_.size()) buf_.erase(0, buf_.size() - delimiter_.size());
                    return {};
                }
                buf_.erase(0, at + delimiter_.size());
                state_ = State::after_boundary;
                break;
            }
            case State::after_boundary: {
                if (buf_.size() < 2) return {};
                if (buf_.compare(0, 2, "--") == 0) {
                    if (in_part_) TRY_VOID(handler_.end());
                    in_part_ = false;
                    state_ = State::done;
                    buf_.clear();
                    return {};
                }
                if (buf_.compare(0, 2, "\r\n") != 0) return malformed("junk after a boundary");
                if (in_part_) TRY_VOID(handler_.end());
                in_part_ = false;
                buf_.erase(0, 2);
                state_ = State::headers;
                break;
            }
            case State::headers: {
                // The limit holds however the bytes arrive: a whole oversized block in one read
                // is refused like one that trickles in.
                auto const end = buf_.find("\r\n\r\n");
                if (end == std::string::npos) {
                    if (buf_.size() > kMaxHeaderBlock) return malformed("part headers are too large");
                    return {};
                }
                if (end + 4 > kMaxHeaderBlock) return malformed("part headers are too large");
                auto headers = TRY(parse_headers(std::string_view(buf_).substr(0, end + 2)));
                buf_.erase(0, end + 4);
                TRY_VOID(handler_.begin(headers));
                in_part_ = true;
                state_ = State::body;
                break;
            }
            case State::body: {
                auto const at = buf_.find(delimiter_);
                if (at == std::string::npos) {
                    // Everything but a possible partial delimiter at the end is part data.
                    if (buf_.size() > delimiter_.size()) {
                        auto const n = buf_.size() - delimiter_.size();
                        TRY_VOID(handler_.data(std::string_view(buf_).substr(0, n)));
                        buf_.erase(0, n);
                    }
                    return {};
                }
                if (at > 0) TRY_VOID(handler_.data(std::string_view(buf_).substr(0, at)));
                buf_.erase(0, at + delimiter_.size());
                state_ = State::after_boundary;
                break;
            }
            case State::done:
                buf_.clear();  // the epilogue is ignored
                return {};
        }
    }
}

}  // namespace hrms::http
