#pragma once
// A file attached to an email (core/mime.hpp renders the message): the rules for its name and
// media type, and the headers of its MIME part (RFC 2045, 2183, 2231). Pure: the caller reads
// the file.
#include <optional>
#include <string>
#include <string_view>

namespace hrms::core {

// A file sent with a message. Core does no I/O: the caller reads the file and passes its bytes.
struct MailAttachment {
    std::string filename;      // UTF-8, as safe_attachment_filename leaves it (checked)
    std::string content_type;  // as attachment_content_type leaves it (checked): "application/pdf"
    std::string bytes;
};

// A display name for an attached file: sanitize_filename's rule (the last path component, no
// control characters, quotes or characters special to shells and file systems, no leading
// dots, at most 200 bytes, "document" when nothing is left), after dropping the invisible and
// bidirectional formatting characters (U+202E and kin) that would let "report\u202Efdp.exe"
// pose as a PDF. Applying it again changes nothing.
std::string safe_attachment_filename(std::string_view name);

// An attachment's media type made canonical: "type/subtype" (RFC 2045 tokens, a discrete
// top-level type: application, audio, font, image, model, text or video) with at most a
// "charset" parameter, lower-cased, as "text/csv; charset=utf-8". nullopt for anything else,
// multipart/* and message/* included (RFC 2046 forbids base64 for them).
std::optional<std::string> attachment_content_type(std::string_view content_type);

// The header lines of the attachment's part, each ending in CRLF, for base64 content:
// Content-Type with name="ASCII fallback", Content-Disposition: attachment with
// filename="ASCII fallback" ('_' for each character that is not printable ASCII) and, for any
// other name, filename*=UTF-8''<percent-encoded> (RFC 2231 §4, split into numbered continuations,
// §3, when it would make a long line), Content-Transfer-Encoding: base64. Parameters fold onto
// lines of their own past 78 characters. Expects a name and type as the functions above leave them.
std::string attachment_part_headers(MailAttachment const& a);

}  // namespace hrms::core
