package inventory

// Host is one machine a topology may place work on.
type Host struct {
	Name    string            `json:"name"`
	Address string            `json:"address"`
	Site    string            `json:"site,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// Inventory lists the hosts known to a run. The zero value is empty and
// usable; a nil *Inventory is treated as empty.
type Inventory struct {
	Hosts []Host `json:"hosts,omitempty"`
}

// Local returns the inventory of this machine alone: one host on 127.0.0.1.
func Local() *Inventory {
	return &Inventory{Hosts: []Host{{Name: "localhost", Address: "127.0.0.1", Site: "local"}}}
}

// Sites returns the distinct site names of the hosts, in first-seen order.
func (inv *Inventory) Sites() []string {
	if inv == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, h := range inv.Hosts {
		if h.Site != "" && !seen[h.Site] {
			seen[h.Site] = true
			out = append(out, h.Site)
		}
	}
	return out
}
