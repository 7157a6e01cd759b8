// Package testkit is the map of the test support packages, kept in one
// place and importing only downward (the domain, the generator, the event
// schema), never from the packages they test beyond that:
//
//   - synth writes synthetic sites of any size (deals, stakeholders, pages),
//     reproducibly from a seed, and copies trees.
//   - synthlog writes the event log a synthetic site's rooms would produce.
//   - scenario is the report's test scenario: a small site and the visits,
//     scanners and glances of its people, as event log lines.
//   - synthsite is the command that writes a benchmark site and its log
//     (go run ./internal/testkit/synthsite).
//   - loadgen drives the beacon with many rooms' events, for the load and
//     crash tests.
package testkit
