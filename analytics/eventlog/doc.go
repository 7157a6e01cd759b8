// Package eventlog is the beacon's embedded event store and its reader:
// the log files' naming and listing ([LogFileName], [LogFiles]), the
// group-commit writer with its lock, fsync and repair ([Log]), the one
// reader of events with its one dedupe rule ([Reader]), the reader of the
// replies the log holds ([ReadReplies]).
//
// # The event log (beacon to reports)
//
// The log is a folder of JSON-lines files, one per UTC day per beacon
// instance, named events-YYYY-MM-DD-<instance>.jsonl. Lines are only ever
// added after the last one, by one writer per instance (a lock file guards
// it). With sync always, a file being written ends in zero bytes: the
// writer fills the file with zeros some megabytes ahead of its lines, so
// that each fdatasync flushes data only rather than also a new file length
// (about half the latency), and cuts them when it closes the file; the next
// start cuts them after a crash, with a torn last line and nothing else.
// maproom's readers drop the zeros at the end of a file; other tools
// reading a live file should stop at the first zero byte there. A zero byte
// before the last newline is part of its line, which is corrupt. Each line
// is one analytics/event Event (package event documents the fields).
//
// The readers ([Reader], [ReadReplies]) take files and folders, skip and
// count lines that are not valid events (naming file:line), and deliver
// each event once: [Reader] says how copies are recognised. Zero padding is
// neither a line nor corrupt.
package eventlog
