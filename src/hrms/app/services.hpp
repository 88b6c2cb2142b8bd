#pragma once
// Every use case, built once by cli/ and handed to the HTTP layer.
#include "hrms/app/audit.hpp"
#include "hrms/app/bulk.hpp"
#include "hrms/app/email_admin.hpp"
#include "hrms/app/auth.hpp"
#include "hrms/app/security.hpp"
#include "hrms/app/documents.hpp"
#include "hrms/app/jobs.hpp"
#include "hrms/app/notifications.hpp"
#include "hrms/app/profiles.hpp"
#include "hrms/app/reports.hpp"
#include "hrms/app/roles.hpp"
#include "hrms/app/users.hpp"

namespace hrms::app {

struct Services {
    Store& store;
    Clock const& clock;
    Auth& auth;
    Users& users;
    Roles& roles;
    Profiles& profiles;
    Documents& documents;
    Notifications& notifications;
    BlobStore& blobs;
    JobAdmin& jobs;
    AuditTrail& audit;
    AccessLog& access_log;
    SecurityMonitor& security;
    EmailAdmin& email;
    EmailTracking& email_tracking;
    Bulk& bulk;
    Reports& reports;
};

}  // namespace hrms::app
