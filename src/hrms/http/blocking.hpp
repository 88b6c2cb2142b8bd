#pragma once
// Runs blocking work (SQL, password hashes) off the I/O threads. Asio-only; included by the
// .cpp files that already see Asio (server.cpp, realtime/), never by headers the rest include.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <type_traits>

namespace hrms::http {

// Runs `fn` on `pool` and resumes the coroutine on its own executor (strand or lane) afterwards, so an
// I/O thread never waits on SQL or a password hash. Exceptions propagate to the awaiter.
// `fn` must capture only trivially destructible things (pointers, references, numbers): g++ 12
// destroys a lambda temporary in a co_await expression twice, so a captured std::string or
// shared_ptr is freed twice. Capture a reference to a local of the coroutine instead.
template <class F>
    requires std::is_trivially_destructible_v<F>
boost::asio::awaitable<std::invoke_result_t<F&>> blocking(boost::asio::thread_pool& pool, F fn) {
    namespace asio = boost::asio;
    using R = std::invoke_result_t<F&>;
    auto result = co_await asio::async_initiate<decltype(asio::use_awaitable),
                                                void(std::exception_ptr, std::optional<R>)>(
        [&pool](auto handler, F f) {
            asio::post(pool, [h = std::move(handler), f = std::move(f)]() mutable {
                std::exception_ptr ep;
                std::optional<R> r;
                try {
                    r.emplace(f());
                } catch (...) {
                    ep = std::current_exception();
                }
                auto ex = asio::get_associated_executor(h);
                asio::dispatch(ex, [h = std::move(h), ep, r = std::move(r)]() mutable {
                    std::move(h)(ep, std::move(r));
                });
            });
        },
        asio::use_awaitable, std::move(fn));
    co_return std::move(*result);
}

}  // namespace hrms::http
