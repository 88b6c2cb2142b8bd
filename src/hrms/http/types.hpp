#pragma once
// Plain request/response values for the pipeline and handlers. Beast stays in server.cpp: handlers
// are synchronous functions that run on the blocking pool and never see a socket.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/documents.hpp"
#include "hrms/app/security.hpp"
#include "hrms/app/services.hpp"
#include "hrms/http/config.hpp"
#include "hrms/core/error.hpp"

namespace hrms::http {

struct Request {
    std::string method;  // "GET"
    std::string target;  // path and query as sent
    std::string path;    // decoded path
    std::vector<std::pair<std::string, std::string>> query;    // decoded
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    // Multipart uploads: the file part, already on disk, and the text fields.
    std::optional<app::StagedUpload> upload;
    std::vector<std::pair<std::string, std::string>> form;
    std::string client_ip;  // the socket's peer, or the client behind a trusted proxy

    // The first header with this lower-case name, or empty.
    std::string_view header(std::string_view name) const;
    // The first query parameter with this name.
    std::optional<std::string> query_param(std::string_view name) const;
    // A cookie from the Cookie header.
    std::optional<std::string> cookie(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string file_path;  // when set, the body is this file, streamed from disk
    // When set, the body is produced piece by piece and sent chunked, for answers too large to
    // build in memory (exports): called on the blocking pool until it returns false, each time
    // filling `chunk` with the next piece. It may throw: the connection is then closed without
    // the final chunk, so the client sees the answer is incomplete.
    std::function<bool(std::string& chunk)> stream;
    bool close = false;     // close the connection after writing
    std::optional<ErrorCode> error;  // the error envelope's code, when the body is one

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

// What a handler gets: the request, its path parameters, who is asking, and the use cases.
struct Ctx {
    Request const& req;
    app::Services& services;
    HttpConfig const& config;
    std::string request_id;
    std::vector<std::pair<std::string, std::string>> params;
    std::optional<app::Actor> actor;
    bool cookie_auth = false;
    // Why the pipeline refused the request before its handler, when that is a security event
    // the status alone does not tell (a CSRF failure, a query that is not valid UTF-8).
    std::optional<app::SecurityEvent> refusal;

    // The path parameter `name` as a positive id; not_found when it is not one.
    Result<std::int64_t> param_id(std::string_view name) const;
    std::string const& param(std::string_view name) const;
    // The authenticated actor (handlers behind auth only).
    app::Actor const& who() const { return *actor; }
};

using Handler = std::function<Response(Ctx&)>;

// validation_failed naming the first query parameter (or form field) that is not valid UTF-8
// or, for the query, holds a control character: filters are bound into SQL and quoted back in
// messages, and a NUL would cut them short. nullopt when every one is clean.
std::optional<Error> check_text_inputs(Request const& req);

// The token of an `Authorization: Bearer <token>` header value; nullopt when it is not one.
std::optional<std::string> bearer_token(std::string_view authorization);

// The HTTP status for an error code: the one table.
int status_for(ErrorCode code);

// {"error":{code,message,details,request_id}} with the status for the code.
Response error_response(Error const& error, std::string const& request_id);

// A JSON response from an already serialized body.
Response json_response(int status, std::string body);

}  // namespace hrms::http
