// Package boot is the phone's way from a cable to service: link up, then
// 802.1X (the supplicant authenticates; boot waits on its state), then an
// address (DHCP or static), network time, provisioning and the SIP lines.
// Each stage starts as soon as the one before it is done, and a stage that
// is lost (link down, port closed, lease gone) takes every later stage down
// with it until it is back. The current stage and its problem are published
// as status.Network.Stage and Error for the LCD and /api/status.
package boot
