#pragma once
// The no-gap, no-duplicate rule of one session's stream of notifications. A session subscribes
// first (live frames start arriving), then replays missed rows from the database, then goes
// live. While replaying, live frames are held; when the replay ends, the held frames newer
// than everything sent are released in order. Live frames with ids already sent (the replay
// read them from the database too) are dropped. Frames without an id (pong, dashboard) always
// pass. Ids grow in commit order (see store/), which is what makes "newer than" sound.
#include <cstdint>
#include <vector>

#include "hrms/realtime/frames.hpp"

namespace hrms::realtime {

class ReplayGate {
public:
    // Starts holding live frames; `after` is the last id the client already has.
    void begin(std::int64_t after) {
        replaying_ = true;
        if (after > last_sent_) last_sent_ = after;
    }
    bool replaying() const { return replaying_; }

    // A live frame: the frame to send now, or nullptr when it is held (replaying) or was sent
    // already.
    FramePtr offer(FramePtr f) {
        if (f->id == 0) return f;
        if (replaying_) {
            held_.push_back(std::move(f));
            return nullptr;
        }
        if (f->id <= last_sent_) return nullptr;
        last_sent_ = f->id;
        return f;
    }

    // A replayed row with this id was sent.
    void sent(std::int64_t id) {
        if (id > last_sent_) last_sent_ = id;
    }

    // Ends the replay: the held frames newer than everything sent, in id order; live again.
    std::vector<FramePtr> finish() {
        replaying_ = false;
        std::vector<FramePtr> out;
        for (auto& f : held_) {
            if (f->id > last_sent_) {
                last_sent_ = f->id;
                out.push_back(std::move(f));
            }
        }
        held_.clear();
        held_.shrink_to_fit();
        return out;
    }

    std::size_t held() const { return held_.size(); }
    // The highest id the client has been sent (or said it had).
    std::int64_t last_id() const { return last_sent_; }

private:
    bool replaying_ = false;
    std::int64_t last_sent_ = 0;
    std::vector<FramePtr> held_;
};

}  // namespace hrms::realtime
