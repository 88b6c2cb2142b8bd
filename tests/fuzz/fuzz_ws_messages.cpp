// Fuzzes the WebSocket protocol's client side: realtime::parse_client_message on one text frame
// (up to the server's 4 KiB message limit), and the frames the server answers with, which must
// be JSON (as UTF-8: browsers close a socket on an ill-formed text frame) whatever the client
// sent.
//
// Input: the frame's payload.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <string>

#include "fuzz_json.hpp"
#include "fuzz_support.hpp"
#include "hrms/realtime/frames.hpp"

using hrms::realtime::ClientMessage;

namespace {

constexpr std::size_t kMaxMessageBytes = 4096;  // realtime::WsConfig::ws_max_message_bytes

// A server frame: a JSON object whose "type" is `type`.
boost::json::object check_frame(hrms::realtime::FramePtr const& f, std::string_view type, std::string_view input) {
    FUZZ_CHECK(f != nullptr, input);
    bool ok = false;
    auto v = hrms::fuzz::parse_json(f->text, ok);
    FUZZ_CHECK(ok && v.is_object(), f->text);
    auto const* t = v.as_object().if_contains("type");
    FUZZ_CHECK(t && t->is_string() && t->as_string() == type, f->text);
    return v.as_object();
}

// The message written back as JSON parses to the same message.
std::string encode(ClientMessage const& m) {
    boost::json::object o;
    switch (m.type) {
        case ClientMessage::Type::ping: o["type"] = "ping"; break;
        case ClientMessage::Type::auth:
            o["type"] = "auth";
            o["token"] = m.token;
            break;
        case ClientMessage::Type::resume:
            o["type"] = "resume";
            o["after"] = m.after;
            break;
    }
    return boost::json::serialize(o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size > kMaxMessageBytes) return 0;  // closed with 1009 before it is parsed
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    auto const m = hrms::realtime::parse_client_message(text);
    FUZZ_TRACE("ws_messages: %s", m ? ("type " + std::to_string(static_cast<int>(m->type))).c_str()
                                    : (m.error().code + ": " + m.error().message).c_str());
    if (m) {
        switch (m->type) {
            case ClientMessage::Type::ping:
                FUZZ_CHECK(m->token.empty() && m->after == 0, text);
                check_frame(hrms::realtime::pong_frame(), "pong", text);
                break;
            case ClientMessage::Type::auth:
                FUZZ_CHECK(!m->token.empty() && m->after == 0, text);
                FUZZ_CHECK(hrms::fuzz::utf8_ok(m->token), text);
                break;
            case ClientMessage::Type::resume: {
                FUZZ_CHECK(m->after >= 0 && m->token.empty(), text);
                auto const done = check_frame(hrms::realtime::replay_done_frame(m->after), "replay_done", text);
                FUZZ_CHECK(done.at("last_id").as_int64() == m->after, text);
                break;
            }
        }
        auto const again = hrms::realtime::parse_client_message(encode(*m));
        FUZZ_CHECK(again && again->type == m->type && again->token == m->token && again->after == m->after,
                   encode(*m));
        return 0;
    }
    auto const& e = m.error();
    FUZZ_CHECK(e.code == "bad_request" || e.code == "unknown_type", e.code);
    // The answer echoes at most a short piece of what was sent.
    FUZZ_CHECK(!e.message.empty() && e.message.size() <= 256, e.message);
    auto const frame = check_frame(hrms::realtime::error_frame(e.code, e.message), "error", text);
    FUZZ_CHECK(frame.at("code").as_string() == e.code, text);

    // Notification titles and bodies carry names people typed (a document's filename, a user's
    // name): whatever they hold, the frame stays JSON.
    hrms::app::NotificationRecord n;
    n.id = 7;
    n.kind = "document.received";
    n.title = std::string(text.substr(0, text.size() / 2));
    n.body = std::string(text.substr(text.size() / 2));
    n.created_at = *hrms::parse_rfc3339("2026-01-01T00:00:00.000Z");
    check_frame(hrms::realtime::notification_frame(n, 0), "notification", text);
    return 0;
}
