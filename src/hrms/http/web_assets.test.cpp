#include "hrms/http/web_assets.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

using namespace hrms::http;
namespace fs = std::filesystem;

namespace {

struct WebDir : ::testing::Test {
    fs::path dir;
    void SetUp() override {
        dir = fs::temp_directory_path() / ("hrms-web-test-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir / "assets");
        write("index.html", "<!doctype html>");
        write("assets/app-1a2b.js", "console.log(1)");
        write("assets/app-1a2b.js.gz", "gz");
        write("assets/logo-9f.png", "png");
        write("assets/logo-9f.png.gz", "never");
    }
    void TearDown() override { fs::remove_all(dir); }
    void write(std::string const& rel, std::string const& text) { std::ofstream(dir / rel) << text; }

    static Request get(std::string path, std::string accept_encoding = {}) {
        Request r;
        r.method = "GET";
        r.path = std::move(path);
        if (!accept_encoding.empty()) r.headers.emplace_back("accept-encoding", std::move(accept_encoding));
        return r;
    }
    static std::string header(Response const& r, std::string_view name) {
        for (auto const& [k, v] : r.headers) {
            if (k == name) return v;
        }
        return {};
    }
};

}  // namespace

TEST_F(WebDir, ClientRoutesGetTheShellAndFilesGetTheirType) {
    WebAssets web(dir);
    ASSERT_TRUE(web.available());
    for (auto path : {"/", "/queue", "/profiles/7", "/a/b/c"}) {
        auto r = web.serve(get(path));
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 200) << path;
        EXPECT_EQ(fs::path(r->file_path).filename(), "index.html") << path;
        EXPECT_EQ(header(*r, "Cache-Control"), "no-store");
    }
    auto js = web.serve(get("/assets/app-1a2b.js"));
    ASSERT_TRUE(js);
    EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(header(*js, "Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(header(*js, "Content-Encoding"), "");
}

TEST_F(WebDir, TheGzipTwinGoesOnlyToClientsThatAcceptItAndNeverForImages) {
    WebAssets web(dir);
    auto gz = web.serve(get("/assets/app-1a2b.js", "gzip, deflate, br"));
    EXPECT_EQ(header(*gz, "Content-Encoding"), "gzip");
    EXPECT_TRUE(gz->file_path.ends_with(".js.gz"));
    EXPECT_EQ(gz->content_type, "text/javascript; charset=utf-8");  // the type of what it encodes
    auto refused = web.serve(get("/assets/app-1a2b.js", "gzip;q=0, br"));
    EXPECT_EQ(header(*refused, "Content-Encoding"), "");
    auto png = web.serve(get("/assets/logo-9f.png", "gzip"));
    EXPECT_EQ(header(*png, "Content-Encoding"), "");
    EXPECT_EQ(png->content_type, "image/png");
}

TEST_F(WebDir, NothingOutsideTheDirectoryOrHiddenIsServed) {
    WebAssets web(dir);
    for (auto path : {"/../etc/passwd", "/assets/../../etc/passwd", "/.env", "/assets/.x.js", "/assets//app-1a2b.js",
                      "/assets/missing.js", "/x\\..\\y.js"}) {
        auto r = web.serve(get(path));
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 404) << path;
        EXPECT_TRUE(r->file_path.empty()) << path;
    }
}

TEST_F(WebDir, TheApiAndOtherMethodsAreNotTheInterfaces) {
    WebAssets web(dir);
    EXPECT_FALSE(web.serve(get("/api/v1/nothing")));
    EXPECT_FALSE(web.serve(get("/api")));
    auto post = get("/queue");
    post.method = "POST";
    EXPECT_FALSE(web.serve(post));
    auto head = get("/queue");
    head.method = "HEAD";
    EXPECT_TRUE(web.serve(head));
}

TEST_F(WebDir, EveryAnswerCarriesThePolicy) {
    WebAssets web(dir);
    for (auto path : {"/", "/assets/app-1a2b.js", "/missing.css"}) {
        EXPECT_EQ(header(*web.serve(get(path)), "Content-Security-Policy"), WebAssets::content_security_policy());
    }
    std::string const csp = WebAssets::content_security_policy();
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe"), std::string::npos);
}

TEST(WebAssets, WithoutABuildTheShellSaysHowToMakeOne) {
    WebAssets web(fs::temp_directory_path() / "hrms-no-such-web-dir");
    EXPECT_FALSE(web.available());
    auto r = web.serve(WebDir::get("/queue"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_NE(r->body.find("npm ci && npm run build"), std::string::npos);
    EXPECT_NE(r->body.find("hrms-no-such-web-dir"), std::string::npos);
    EXPECT_EQ(web.serve(WebDir::get("/assets/app.js"))->status, 404);
}
