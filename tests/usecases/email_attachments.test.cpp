// Files mailed with a message, through the Mailer and the EmailSender on a real store: what is
// queued, what reaches a provider, and what becomes of a message whose file is gone.
#include <unistd.h>

#include <fstream>

#include "fixture.hpp"
#include "hrms/app/email.hpp"

using namespace hrms;
using namespace hrms::app;

namespace {

// Every template renders to the same short message: the templates are not under test here.
class FixedComposer final : public EmailComposer {
public:
    Result<RenderedEmail> render(std::string const&, EmailVars const&) const override {
        return RenderedEmail{"Your Headcount report", "Attached.", "<p>Attached.</p>"};
    }
    std::vector<std::string> names() const override { return {"report"}; }
};

// Takes every message and keeps what it was given.
class RecordingProvider final : public EmailProvider {
public:
    explicit RecordingProvider(std::vector<OutgoingMail>& sent) : sent_(sent) {}
    std::string name() const override { return "recording"; }
    SendResult send(OutboxMessage const&, OutgoingMail const& mail) override {
        sent_.push_back(mail);
        return {SendResult::Kind::sent, "accepted", "rec-" + std::to_string(sent_.size())};
    }

private:
    std::vector<OutgoingMail>& sent_;
};

class EmailAttachmentsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto const name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        db_ = std::make_unique<store::TestStore>(name);
        dir_ = std::filesystem::temp_directory_path() / ("hrms-attach-" + std::to_string(::getpid()) + "-" + name);
        std::filesystem::create_directories(dir_);
        std::vector<std::unique_ptr<EmailProvider>> providers;
        providers.push_back(std::make_unique<RecordingProvider>(sent_));
        sender_ = std::make_unique<EmailSender>(**db_, clock_, MailIdentity{}, SenderPolicy{}, std::move(providers),
                                                "test-sender");
    }
    void TearDown() override {
        sender_.reset();
        db_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::string write_file(std::string const& name, std::string const& bytes) {
        auto const path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }

    Result<std::int64_t> queue(std::vector<EmailAttachment> attachments) {
        auto tx = (*db_)->begin(TxMode::write);
        auto id = mailer_.queue(*tx, "report", {"ada@example.com", "Ada", std::nullopt}, {}, false,
                                std::move(attachments));
        if (id) tx->commit();
        return id;
    }

    OutboxMessage message(std::int64_t id) {
        auto tx = (*db_)->begin(TxMode::read);
        return tx->email().get(id).value();
    }

    std::size_t queued() {
        auto tx = (*db_)->begin(TxMode::read);
        return tx->email().list({}).size();
    }

    static std::string field_of(Error const& e) { return e.details_json; }
    static std::string field(std::string const& name) { return "{\"field\":\"" + name + "\"}"; }

    hrms::testing::SettableClock clock_;
    FixedComposer composer_;
    Mailer mailer_{composer_, clock_, MailIdentity{}};
    std::unique_ptr<store::TestStore> db_;
    std::filesystem::path dir_;
    std::vector<OutgoingMail> sent_;
    std::unique_ptr<EmailSender> sender_;
};

}  // namespace

TEST_F(EmailAttachmentsTest, QueuedFilesKeepASafeNameACanonicalTypeAndTheirPath) {
    auto const id = queue({{"../Q3\r\nreport.pdf", " Application/PDF ", "/srv/reports/q3.pdf"},
                           {"Übersicht.csv", "text/csv; charset=UTF-8", "/srv/reports/ü.csv"}});
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(message(*id).attachments,
              (std::vector<EmailAttachment>{{"Q3report.pdf", "application/pdf", "/srv/reports/q3.pdf"},
                                            {"Übersicht.csv", "text/csv; charset=utf-8", "/srv/reports/ü.csv"}}));
}

TEST_F(EmailAttachmentsTest, ABadAttachmentIsRefusedNamingItsFieldAndNothingIsQueued) {
    EmailAttachment const good{"q3.pdf", "application/pdf", "/srv/reports/q3.pdf"};
    auto const refused = [&](std::vector<EmailAttachment> files) {
        auto const r = queue(std::move(files));
        EXPECT_FALSE(r);
        if (r) return std::string("queued");
        EXPECT_EQ(r.error().code, ErrorCode::validation_failed);
        return field_of(r.error());
    };
    EXPECT_EQ(refused({good, {"  ", "application/pdf", "/srv/x.pdf"}}), field("attachments[1].filename"));
    EXPECT_EQ(refused({{"q3.pdf", "pdf", "/srv/x.pdf"}}), field("attachments[0].content_type"));
    EXPECT_EQ(refused({{"q3.pdf", "multipart/mixed", "/srv/x.pdf"}}), field("attachments[0].content_type"));
    EXPECT_EQ(refused({{"q3.pdf", "application/pdf", "reports/q3.pdf"}}), field("attachments[0].path"));
    EXPECT_EQ(refused(std::vector<EmailAttachment>(kMaxEmailAttachments + 1, good)), field("attachments"));
    EXPECT_EQ(queued(), 0u);
    EXPECT_TRUE(queue(std::vector<EmailAttachment>(kMaxEmailAttachments, good)));
}

TEST_F(EmailAttachmentsTest, TheFilesAreReadWhenSentAndGoOutInTheMessage) {
    std::string pdf = "%PDF-1.7\n";
    for (int c = 0; c < 256; ++c) pdf += static_cast<char>(c);
    auto const path = write_file("q3.pdf", "an older draft");
    auto const id = queue({{"q3.pdf", "application/pdf", path}});
    ASSERT_TRUE(id);
    write_file("q3.pdf", pdf);  // what counts is the file as it is when the message is sent
    EXPECT_EQ(sender_->run_once(), 1);
    ASSERT_EQ(sent_.size(), 1u);
    ASSERT_EQ(sent_[0].attachments.size(), 1u);
    EXPECT_EQ(sent_[0].attachments[0].bytes, pdf);
    EXPECT_EQ(sent_[0].attachments[0].filename, "q3.pdf");
    EXPECT_NE(sent_[0].mime.find("Content-Type: multipart/mixed;"), std::string::npos);
    EXPECT_NE(sent_[0].mime.find("Content-Disposition: attachment; filename=\"q3.pdf\""), std::string::npos);
    EXPECT_EQ(message(*id).status, EmailStatus::sent);
}

TEST_F(EmailAttachmentsTest, AFileGoneBySendTimeFailsTheMessageOnceNamingTheFile) {
    auto const path = (dir_ / "gone.pdf").string();
    auto const id = queue({{"Q3 report.pdf", "application/pdf", path}});
    ASSERT_TRUE(id);
    EXPECT_EQ(sender_->run_once(), 1);
    auto const m = message(*id);
    EXPECT_EQ(m.status, EmailStatus::failed);
    EXPECT_NE(m.last_error.find("'Q3 report.pdf'"), std::string::npos) << m.last_error;
    EXPECT_NE(m.last_error.find(path), std::string::npos) << m.last_error;
    EXPECT_NE(m.last_error.find("No such file"), std::string::npos) << m.last_error;
    EXPECT_TRUE(sent_.empty());
    // Failed is final: later rounds do not try it again.
    clock_.advance_hours(24);
    EXPECT_EQ(sender_->run_once(), 0);
    EXPECT_EQ(message(*id).attempts, 1);
}

TEST_F(EmailAttachmentsTest, FilesTooLargeTogetherOrNotRegularFailTheMessage) {
    auto const big = write_file("big.csv", "");
    std::filesystem::resize_file(big, kMaxEmailAttachmentBytes / 2 + 1);  // sparse: nothing is written
    auto const too_much = queue({{"a.csv", "text/csv", big}, {"b.csv", "text/csv", big}});
    auto const directory = queue({{"dir.pdf", "application/pdf", dir_.string()}});
    ASSERT_TRUE(too_much);
    ASSERT_TRUE(directory);
    sender_->run_once();
    EXPECT_EQ(message(*too_much).status, EmailStatus::failed);
    EXPECT_NE(message(*too_much).last_error.find("attachment 2 'b.csv'"), std::string::npos)
        << message(*too_much).last_error;
    EXPECT_EQ(message(*directory).status, EmailStatus::failed);
    EXPECT_NE(message(*directory).last_error.find("not a regular file"), std::string::npos);
    EXPECT_TRUE(sent_.empty());
}

TEST(EmailAttachmentsJson, AListThatCannotBeReadFailsItsMessageInsteadOfLosingTheFiles) {
    std::vector<EmailAttachment> const files{{"a \"b\".pdf", "application/pdf", "/srv/ü.pdf"}};
    EXPECT_EQ(attachments_from_json(attachments_to_json(files)), files);
    EXPECT_EQ(attachments_to_json({}), "[]");
    EXPECT_TRUE(attachments_from_json("[]").empty());
    EXPECT_TRUE(attachments_from_json("").empty());
    // Unreadable: one attachment without a path, which the sender cannot read.
    EXPECT_EQ(attachments_from_json("{not json"), (std::vector<EmailAttachment>{EmailAttachment{}}));
    EXPECT_EQ(attachments_from_json("[42]"), (std::vector<EmailAttachment>{EmailAttachment{}}));
}
