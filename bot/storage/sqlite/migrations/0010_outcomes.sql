-- How trajectories end (issue 17). Every recording is a new row: the latest row of a participant
-- counts, earlier rows stay as history (a correction never overwrites). `outcome_on` is the day
-- the outcome took effect (the trajectory's end, or the recording day when that is earlier);
-- `new_end_date` only for an extension (*verlenging*), which also moves `participants.end_date`.
-- `note` is free text, BSN-masked before it is stored.
CREATE TABLE trajectory_outcomes (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (person_id) ON DELETE CASCADE,
    code           TEXT NOT NULL,
    outcome_on     TEXT NOT NULL,
    new_end_date   TEXT,
    note           TEXT,
    recorded_by    INTEGER REFERENCES people (id) ON DELETE SET NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX trajectory_outcomes_participant ON trajectory_outcomes (participant_id, id);
CREATE INDEX trajectory_outcomes_on ON trajectory_outcomes (outcome_on);

-- The trajectory's last day when it was extended; NULL: start date + `trajectory.months`.
ALTER TABLE participants ADD COLUMN end_date TEXT;
