package snowball

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	api "github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/store"
)

// Address validation (spec §7, docs/snowball.md). The carrier's check is
// modelled by InvalidAddressException: a missing line, an unknown country, a
// postal code or state that cannot exist, a phone number without enough
// digits. The serviceable area by UnsupportedAddressException: a real
// address that Snowball does not ship to from the caller's region.

// countries maps the names a client may give to ISO 3166 codes; the service
// returns the code (spec §7: USA comes back as US).
var countries = map[string]string{
	"US": "US", "USA": "US", "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US",
	"CA": "CA", "CAN": "CA", "CANADA": "CA",
	"GB": "GB", "UK": "GB", "GBR": "GB", "UNITED KINGDOM": "GB",
	"IE": "IE", "IRL": "IE", "IRELAND": "IE",
	"DE": "DE", "DEU": "DE", "GERMANY": "DE",
	"FR": "FR", "FRA": "FR", "FRANCE": "FR",
	"JP": "JP", "JPN": "JP", "JAPAN": "JP",
	"AU": "AU", "AUS": "AU", "AUSTRALIA": "AU",
	"IN": "IN", "IND": "IN", "INDIA": "IN",
	"SG": "SG", "SGP": "SG", "SINGAPORE": "SG",
	"KR": "KR", "KOR": "KR", "SOUTH KOREA": "KR",
	"BR": "BR", "BRA": "BR", "BRAZIL": "BR",
	"HK": "HK", "HKG": "HK", "HONG KONG": "HK",
	"CN": "CN", "CHN": "CN", "CHINA": "CN",
	"MX": "MX", "MEX": "MX", "MEXICO": "MX",
	"NZ": "NZ", "NZL": "NZ", "NEW ZEALAND": "NZ",
	"ZA": "ZA", "ZAF": "ZA", "SOUTH AFRICA": "ZA",
	"IS": "IS", "ISL": "IS", "ICELAND": "IS",
	"AQ": "AQ", "ATA": "AQ", "ANTARCTICA": "AQ",
}

// regionCountries is the serviceable area of each region jobplane knows; a
// region not listed serves every country Snowball ships to (shipsTo).
var regionCountries = map[string][]string{
	"us-east-1": {"US"}, "us-east-2": {"US"}, "us-west-1": {"US"}, "us-west-2": {"US"},
	"us-gov-west-1": {"US"}, "us-gov-east-1": {"US"},
	"ca-central-1": {"CA"}, "eu-west-1": {"IE"}, "eu-west-2": {"GB"}, "eu-west-3": {"FR"},
	"eu-central-1": {"DE"}, "ap-northeast-1": {"JP"}, "ap-northeast-2": {"KR"}, "ap-south-1": {"IN"},
	"ap-southeast-1": {"SG"}, "ap-southeast-2": {"AU"}, "sa-east-1": {"BR"}, "ap-east-1": {"HK"},
	"cn-north-1": {"CN"}, "cn-northwest-1": {"CN"},
}

// shipsTo are the countries Snowball ships to at all.
var shipsTo = []string{"US", "CA", "GB", "IE", "DE", "FR", "JP", "AU", "IN", "SG", "KR", "BR", "HK", "CN"}

var postalCodes = map[string]*regexp.Regexp{
	"US": regexp.MustCompile(`^\d{5}(-\d{4})?$`),
	"CA": regexp.MustCompile(`^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$`),
	"GB": regexp.MustCompile(`^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$`),
	"IE": regexp.MustCompile(`^[A-Za-z\d]{3} ?[A-Za-z\d]{4}$`),
	"DE": regexp.MustCompile(`^\d{5}$`), "FR": regexp.MustCompile(`^\d{5}$`),
	"JP": regexp.MustCompile(`^\d{3}-?\d{4}$`), "AU": regexp.MustCompile(`^\d{4}$`),
	"IN": regexp.MustCompile(`^\d{6}$`), "SG": regexp.MustCompile(`^\d{6}$`),
	"KR": regexp.MustCompile(`^\d{5}$`), "BR": regexp.MustCompile(`^\d{5}-?\d{3}$`),
	"CN": regexp.MustCompile(`^\d{6}$`),
}

// usStates are the USPS codes of the states Snowball ships to; the
// territories and military codes are real but not served.
var (
	usStates = strings.Fields(`AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV
		NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY`)
	usUnserved = strings.Fields(`PR GU VI AS MP AA AE AP`)
	usNames    = map[string]string{"WASHINGTON": "WA", "CALIFORNIA": "CA", "NEW YORK": "NY", "TEXAS": "TX",
		"OREGON": "OR", "VIRGINIA": "VA", "OHIO": "OH", "FLORIDA": "FL", "ILLINOIS": "IL", "MASSACHUSETTS": "MA",
		"PUERTO RICO": "PR", "GUAM": "GU"}
)

func invalidAddress(format string, args ...any) error {
	return &api.InvalidAddressException{Message: ptr(fmt.Sprintf(format, args...))}
}

func unsupportedAddress(format string, args ...any) error {
	return &api.UnsupportedAddressException{Message: ptr(fmt.Sprintf(format, args...))}
}

// normalizeAddress validates a and returns it as the service stores it.
func normalizeAddress(a api.Address, region string) (api.Address, error) {
	a.AddressId = nil
	if a.Type == nil {
		a.Type = ptr(api.AddressTypeAWSSHIP)
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"Name", a.Name}, {"Street1", a.Street1}, {"City", a.City}, {"Country", a.Country}, {"PostalCode", a.PostalCode}, {"PhoneNumber", a.PhoneNumber}} {
		if f.v == nil || strings.TrimSpace(*f.v) == "" {
			return a, invalidAddress("The address has no %s.", f.name)
		}
	}
	country, ok := countries[strings.ToUpper(strings.TrimSpace(*a.Country))]
	if !ok {
		return a, invalidAddress("The carrier does not recognise the country %q.", *a.Country)
	}
	a.Country = &country
	if re, ok := postalCodes[country]; ok && !re.MatchString(strings.TrimSpace(*a.PostalCode)) {
		return a, invalidAddress("The postal code %q does not exist in %s.", *a.PostalCode, country)
	}
	digits := 0
	for _, r := range *a.PhoneNumber {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 7 || digits > 15 {
		return a, invalidAddress("The phone number %q is not a phone number the carrier can call.", *a.PhoneNumber)
	}
	if country == "US" {
		if a.StateOrProvince == nil {
			return a, invalidAddress("A US address needs a StateOrProvince.")
		}
		st := strings.ToUpper(strings.TrimSpace(*a.StateOrProvince))
		if code, ok := usNames[st]; ok {
			st = code
		}
		switch {
		case slices.Contains(usUnserved, st):
			return a, unsupportedAddress("Snowball devices are not shipped to %s.", st)
		case !slices.Contains(usStates, st):
			return a, invalidAddress("%q is not a US state.", *a.StateOrProvince)
		}
		a.StateOrProvince = &st
	}
	if !slices.Contains(shipsTo, country) {
		return a, unsupportedAddress("Snowball devices are not shipped to %s.", country)
	}
	if area, ok := regionCountries[region]; ok && !slices.Contains(area, country) {
		return a, unsupportedAddress("The address is outside the serviceable area of %s (%s).", region, strings.Join(area, ", "))
	}
	return a, nil
}

func decodeAddress(data []byte) (*api.Address, error) {
	var a api.Address
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("snowball: address document: %w", err)
	}
	return &a, nil
}

// CreateAddress implements api.Service.
func (p *Provider) CreateAddress(ctx context.Context, in *api.CreateAddressRequest) (*api.CreateAddressResult, error) {
	a, err := normalizeAddress(*in.Address, p.region(ctx))
	if err != nil {
		return nil, err
	}
	a.AddressId = ptr(newID("ADID"))
	data, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	rec := store.SnowballAddress{Account: account(ctx), ID: *a.AddressId, CreatedAt: p.clock.Now(), Data: data}
	if err := p.st.CreateSnowballAddress(ctx, rec); err != nil {
		return nil, err
	}
	return &api.CreateAddressResult{AddressId: a.AddressId}, nil
}

// DescribeAddress implements api.Service.
func (p *Provider) DescribeAddress(ctx context.Context, in *api.DescribeAddressRequest) (*api.DescribeAddressResult, error) {
	a, err := p.resolveAddress(ctx, "AddressId", in.AddressId)
	if err != nil {
		return nil, err
	}
	return &api.DescribeAddressResult{Address: a}, nil
}

// DescribeAddresses implements api.Service.
func (p *Provider) DescribeAddresses(ctx context.Context, in *api.DescribeAddressesRequest) (*api.DescribeAddressesResult, error) {
	recs, next, err := keysetPage(ctx, p, "DescribeAddresses", "", in.NextToken, in.MaxResults,
		func(after *store.SnowballCursor, n int) ([]store.SnowballAddress, error) {
			return p.st.ListSnowballAddresses(ctx, account(ctx), after, n)
		},
		func(r store.SnowballAddress) (time.Time, string) { return r.CreatedAt, r.ID })
	if err != nil {
		return nil, err
	}
	out := &api.DescribeAddressesResult{Addresses: []api.Address{}, NextToken: next}
	for _, r := range recs {
		a, err := decodeAddress(r.Data)
		if err != nil {
			return nil, err
		}
		out.Addresses = append(out.Addresses, *a)
	}
	return out, nil
}

// ListPickupLocations implements api.Service. The model gives it no
// InvalidNextTokenException, so a token it cannot use names no resource.
func (p *Provider) ListPickupLocations(ctx context.Context, in *api.ListPickupLocationsRequest) (*api.ListPickupLocationsResult, error) {
	all := pickupLocations(p.region(ctx))
	from, next, err := p.staticPage(ctx, "ListPickupLocations", p.region(ctx), in.NextToken, in.MaxResults, len(all))
	var bad *api.InvalidNextTokenException
	if errors.As(err, &bad) {
		return nil, invalidResource("NextToken", "The NextToken is not one this operation issued.")
	}
	if err != nil {
		return nil, err
	}
	return &api.ListPickupLocationsResult{Addresses: all[from:next.end], NextToken: next.token}, nil
}
