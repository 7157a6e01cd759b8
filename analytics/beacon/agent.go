package beacon

import (
	"hash/maphash"
	"sync/atomic"

	agents "github.com/monperrus/crawler-user-agents"

	"github.com/maproom/maproom/analytics/event"
)

// maxUA is the longest User-Agent classified; longer ones are cut first.
const maxUA = 512

// agentClass is what the beacon keeps of a User-Agent.
type agentClass struct {
	ua      string // the header as classified
	class   string // event.UABrowser, event.UACrawler or event.UAEmpty
	crawler string // the crawler-list pattern matched
}

// agentCache classifies User-Agents through the maintained crawler list and
// remembers recent answers in a fixed-size, lock-free table: matching the
// list costs microseconds, and a beacon sees few distinct User-Agents.
type agentCache struct {
	seed  maphash.Seed
	slots [1024]atomic.Pointer[agentClass]
}

func newAgentCache() *agentCache { return &agentCache{seed: maphash.MakeSeed()} }

func (c *agentCache) classify(ua string) *agentClass {
	if len(ua) > maxUA {
		ua = ua[:maxUA]
	}
	slot := &c.slots[maphash.String(c.seed, ua)%uint64(len(c.slots))]
	if a := slot.Load(); a != nil && a.ua == ua {
		return a
	}
	a := classifyAgent(ua)
	slot.Store(a)
	return a
}

func classifyAgent(ua string) *agentClass {
	a := &agentClass{ua: ua, class: event.UABrowser}
	if ua == "" {
		a.class = event.UAEmpty
		return a
	}
	if m := agents.MatchingCrawlers(ua); len(m) > 0 {
		a.class = event.UACrawler
		a.crawler = agents.Crawlers[m[0]].Pattern
	}
	return a
}
