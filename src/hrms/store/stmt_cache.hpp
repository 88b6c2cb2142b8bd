#pragma once
// Internal to store/: write statements prepared once per connection and run again with new
// values. SOCI prepares a statement on every `sql << ...`, and on SQLite preparing (parsing and
// compiling) costs more than running a small INSERT: a bulk batch runs a dozen writes per item.
// Only writes are cached (INSERT, UPDATE, UPSERT; with RETURNING, the statement is reset after
// its row is read): a SQLite SELECT left mid-way would keep its read snapshot open.
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hrms::store {

// A value that may be NULL: bound with an indicator.
template <class T>
struct Nullable {
    T value{};
    soci::indicator ind = soci::i_null;
};
template <class T>
Nullable<T> nullable(std::optional<T> const& v) {
    return v ? Nullable<T>{*v, soci::i_ok} : Nullable<T>{};
}

struct CachedWrite {
    virtual ~CachedWrite() = default;
};

// The statements of one connection, by SQL text (Conn owns one; destroyed before the session).
using WriteCache = std::unordered_map<std::string, std::unique_ptr<CachedWrite>>;

namespace detail {

template <class T>
struct IsNullable : std::false_type {};
template <class T>
struct IsNullable<Nullable<T>> : std::true_type {};

template <class... T>
struct Write final : CachedWrite {
    std::tuple<T...> values;
    long long returned = 0;
    soci::statement st;

    Write(soci::session& sql, std::string const& text, bool returning) : st(sql) {
        st.alloc();
        std::apply([&](auto&... v) { (bind(v), ...); }, values);
        if (returning) st.exchange(soci::into(returned));
        st.prepare(text);
        st.define_and_bind();
    }

    template <class V>
    void bind(V& v) {
        if constexpr (IsNullable<V>::value)
            st.exchange(soci::use(v.value, v.ind));
        else
            st.exchange(soci::use(v));
    }
};

}  // namespace detail

// Runs `text` with `args` (each a value SOCI binds, or a Nullable) on `sql`, preparing it only
// the first time this connection runs it. With `returning`, the statement's one integer column
// (RETURNING id) comes back. A statement that fails is dropped from the cache, so a later call
// prepares it afresh.
template <class... T>
long long run_cached(soci::session& sql, WriteCache& cache, bool sqlite, std::string const& text, bool returning,
                     T const&... args) {
    using W = detail::Write<T...>;
    auto& slot = cache[text];
    if (!slot) slot = std::make_unique<W>(sql, text, returning);
    auto& w = static_cast<W&>(*slot);
    try {
        w.values = std::tuple<T...>(args...);
        w.st.execute(true);
    } catch (...) {
        cache.erase(text);
        throw;
    }
    if (sqlite && returning) {
        // The row was read but the statement not stepped to its end: reset it, or it would hold
        // the write open past this call.
        auto* be = static_cast<soci::sqlite3_statement_backend*>(w.st.get_backend());
        sqlite_api::sqlite3_reset(be->stmt_);
    }
    return w.returned;
}

// A one-row read by its keys, prepared once per connection: `Row` (with bind(prep)) holds the
// columns. Its statement is reset as soon as the row is copied, so that on SQLite it keeps no
// read snapshot open.
template <class Row, class... K>
struct CachedRead final : CachedWrite {
    Row row;
    std::tuple<K...> keys;
    std::optional<soci::statement> st;
    CachedRead(soci::session& sql, std::string const& text) {
        auto prep = (sql.prepare << text);
        row.bind(prep);
        std::apply([&](auto&... k) { ((prep, soci::use(k)), ...); }, keys);
        st.emplace(prep);
    }
};

// The row `text` finds for `keys`, as `take(row)` makes it, or nothing.
template <class Row, class Take, class... K>
auto read_cached(soci::session& sql, WriteCache& cache, bool sqlite, std::string const& text, Take&& take,
                 K const&... keys) -> std::optional<std::decay_t<decltype(take(std::declval<Row&>()))>> {
    using R = CachedRead<Row, K...>;
    auto& slot = cache[text];
    if (!slot) slot = std::make_unique<R>(sql, text);
    auto& r = static_cast<R&>(*slot);
    r.keys = std::tuple<K...>(keys...);
    bool found = false;
    try {
        found = r.st->execute(true);
    } catch (...) {
        cache.erase(text);
        throw;
    }
    std::optional<std::decay_t<decltype(take(r.row))>> out;
    if (found) out = take(r.row);
    if (sqlite) sqlite_api::sqlite3_reset(static_cast<soci::sqlite3_statement_backend*>(r.st->get_backend())->stmt_);
    return out;
}

// Every row `text` finds for `keys`, as `take(row)` makes each (`reset(row)` clears the row's
// indicators before the next), read to the end with a statement prepared once per connection.
template <class Row, class Take, class Reset, class... K>
auto read_all_cached(soci::session& sql, WriteCache& cache, std::string const& text, Take&& take, Reset&& reset,
                     K const&... keys) -> std::vector<std::decay_t<decltype(take(std::declval<Row&>()))>> {
    using R = CachedRead<Row, K...>;
    auto& slot = cache[text];
    if (!slot) slot = std::make_unique<R>(sql, text);
    auto& r = static_cast<R&>(*slot);
    r.keys = std::tuple<K...>(keys...);
    std::vector<std::decay_t<decltype(take(r.row))>> out;
    try {
        reset(r.row);
        r.st->execute();
        while (r.st->fetch()) {
            out.push_back(take(r.row));
            reset(r.row);
        }
    } catch (...) {
        cache.erase(text);
        throw;
    }
    return out;
}

}  // namespace hrms::store
