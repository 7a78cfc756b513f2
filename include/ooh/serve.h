/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ooh/serve.h - the protocol of the tracker daemon `ooh-track --serve
 * SOCKET -p PID` (ooh-track(1)), for clients that do not live from one
 * interval to the next (CRIU between pre-dumps, criu/patches/).
 *
 * The daemon tracks PID from its start, prints OOH_SERVE_READY SOCKET on
 * stdout once the tracker is armed, and answers one command line per
 * connection on the unix stream socket SOCKET:
 *
 *   OOH_SERVE_FETCH  ooh_fetch(): the header OOH_SERVE_FETCH_OK (its nr,
 *                    flags and lost fields are struct ooh_dirty's), then
 *                    nr page addresses (uint64_t, host byte order,
 *                    sorted): the pages written since the previous FETCH
 *                    or the start.  flags has OOH_FETCH_ALL (1) when
 *                    information was lost: the client treats every page as
 *                    written.
 *   OOH_SERVE_FETCH_LAST  the same answer from ooh_fetch_last(): for the
 *                    client's last FETCH (CRIU's final dump, which sends
 *                    STOP next).  A FETCH after it is still exact or
 *                    flagged OOH_FETCH_ALL.  Since libooh 1.3; an older
 *                    daemon answers OOH_SERVE_ERR.
 *   OOH_SERVE_STOP   OOH_SERVE_OK, then the daemon closes the tracker and
 *                    exits 0.
 *
 * Anything else, or a failed fetch, gets OOH_SERVE_ERR and a reason line.
 * A command is at most OOH_SERVE_CMD_MAX bytes with its newline.  The
 * daemon also exits (status 0) when PID ends.
 */
#ifndef OOH_SERVE_H
#define OOH_SERVE_H

#define OOH_SERVE_READY		"ready "
#define OOH_SERVE_FETCH		"FETCH\n"
#define OOH_SERVE_FETCH_LAST	"FETCH LAST\n"
#define OOH_SERVE_STOP		"STOP\n"
#define OOH_SERVE_OK		"OK\n"
#define OOH_SERVE_ERR		"ERR "
/* printf/scanf format of the FETCH answer's header line */
#define OOH_SERVE_FETCH_OK	"OK nr=%llu flags=%u lost=%llu\n"
#define OOH_SERVE_CMD_MAX	64

#endif /* OOH_SERVE_H */
