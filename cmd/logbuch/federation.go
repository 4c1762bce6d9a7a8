package main

import (
	"errors"
	"fmt"

	"logbuch/domain"
	"logbuch/embed"
)

// federation is the log's federation settings, nil without a partner.
func (c Config) federation() *embed.Federation {
	if c.Partner == "" {
		return nil
	}
	return &embed.Federation{City: c.Tenant, Partner: c.Partner, PartnerDomain: c.PartnerDomain}
}

// checkFederation refuses settings that cannot work together.
func (c Config) checkFederation() error {
	if (c.Partner == "") != (c.PartnerDomain == "") {
		return errors.New("--federation-partner and --federation-partner-domain go together: the partner city and the JetStream domain of its NATS")
	}
	if c.Partner != "" && (c.Partner == c.Tenant || !domain.ValidCommandID(c.Partner)) {
		return fmt.Errorf("--federation-partner %q: the partner city's --tenant, not this one's (%q)", c.Partner, c.Tenant)
	}
	if c.Partner != "" && c.NatsURL == "" && c.JetStreamDomain == "" {
		return errors.New("--federation-partner needs a JetStream domain of this city's own (--jetstream-domain), different from the partner's")
	}
	if c.JetStreamDomain != "" && c.JetStreamDomain == c.PartnerDomain {
		return fmt.Errorf("--jetstream-domain %q is the partner's domain too: each city needs its own", c.JetStreamDomain)
	}
	if c.NatsURL != "" && (c.JetStreamDomain != "" || c.LeafListen != "" || c.LeafRemote != "") {
		return errors.New("--jetstream-domain, --leaf-listen and --leaf-remote configure the embedded NATS server; with --nats-url configure them in the NATS server's configuration")
	}
	return nil
}
