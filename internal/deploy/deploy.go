// Package deploy holds what running maproom on a server takes beyond the
// binary: the hardened systemd unit of the beacon. The files are embedded,
// so `maproom beacon -print-systemd` prints the unit the tests verified.
package deploy

import _ "embed"

// BeaconUnit is the systemd unit of the beacon (maproom-beacon.service):
// its own dynamic user, /var/lib/maproom as its only writable state, a
// read-only system, no new privileges, no capabilities, restarted on
// failure, reloaded (SIGHUP: the manifest is read again) by systemctl
// reload. Settings come from /etc/maproom/beacon.env.
//
//go:embed maproom-beacon.service
var BeaconUnit string

// BeaconUnitName is the unit's file name under /etc/systemd/system.
const BeaconUnitName = "maproom-beacon.service"

// BeaconBinary is the path of the binary the unit starts.
const BeaconBinary = "/usr/local/bin/maproom"
