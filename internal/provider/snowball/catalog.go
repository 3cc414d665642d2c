package snowball

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/google/uuid"

	api "github.com/jobplane/jobplane/internal/api/snowball"
)

// The catalogues: data the real service takes from EC2, its logistics
// network and its software releases. jobplane's are fixed, documented in
// docs/snowball.md, and consistent with the rest of the API: the AMIs
// ListCompatibleImages lists are the ones CreateJob accepts, the pickup
// locations can be used as a job's AddressId, and ListServiceVersions'
// versions are the ones EKSOnDeviceService may name.

// imageBases are the Snow-compatible AMI families (spec §3 ListCompatibleImages).
var imageBases = []string{
	"Amazon Linux 2 for Snow Family",
	"Ubuntu Server 20.04 LTS for Snow Family",
	"Ubuntu Server 22.04 LTS for Snow Family",
}

// compatibleImages returns the account's Snow-compatible AMIs: one of each
// family, with an id derived from the account, so that each account owns
// its own images as in EC2.
func compatibleImages(account string) []api.CompatibleImage {
	out := make([]api.CompatibleImage, len(imageBases))
	for i, name := range imageBases {
		sum := sha256.Sum256([]byte(account + "\x00" + name))
		out[i] = api.CompatibleImage{AmiId: ptr("ami-" + hex.EncodeToString(sum[:])[:17]), Name: ptr(name)}
	}
	return out
}

// pickupNamespace seeds the pickup locations' address ids.
var pickupNamespace = uuid.MustParse("6f0d4e3a-9d1c-4a57-8b0e-2f6a3c9d7e10")

type site struct{ name, street, city, state, postal, country, phone string }

// pickupSites are the customer pickup sites by country.
var pickupSites = map[string][]site{
	"US": {
		{"AWS Snow Family Pickup - Ashburn", "21155 Smith Switch Rd", "Ashburn", "VA", "20147", "US", "+1 703-555-0142"},
		{"AWS Snow Family Pickup - Hillsboro", "5115 NE Huffman St", "Hillsboro", "OR", "97124", "US", "+1 503-555-0117"},
		{"AWS Snow Family Pickup - Columbus", "4300 E 5th Ave", "Columbus", "OH", "43219", "US", "+1 614-555-0190"},
	},
	"DE": {{"AWS Snow Family Abholung - Frankfurt", "Hanauer Landstrasse 300", "Frankfurt am Main", "HE", "60314", "DE", "+49 69 5550 1234"}},
	"IE": {{"AWS Snow Family Pickup - Dublin", "Clonshaugh Business Park", "Dublin", "D", "D17 HK52", "IE", "+353 1 555 0123"}},
	"JP": {{"AWS Snow Family Pickup - Tokyo", "3-1-1 Kamiosaki", "Shinagawa-ku", "Tokyo", "141-0021", "JP", "+81 3-5550-1234"}},
}

// pickupLocations returns the pickup sites a region serves.
func pickupLocations(region string) []api.Address {
	var out []api.Address
	for _, c := range serviceable(region) {
		for _, s := range pickupSites[c] {
			id := "ADID" + uuid.NewSHA1(pickupNamespace, []byte(s.name)).String()
			out = append(out, api.Address{AddressId: ptr(id), Name: ptr(s.name), Company: ptr("Amazon Web Services"),
				Street1: ptr(s.street), City: ptr(s.city), StateOrProvince: ptr(s.state), Country: ptr(s.country),
				PostalCode: ptr(s.postal), PhoneNumber: ptr(s.phone), IsRestricted: ptr(false), Type: ptr(api.AddressTypeCUSTPICKUP)})
		}
	}
	return out
}

func serviceable(region string) []string {
	if area, ok := regionCountries[region]; ok {
		return area
	}
	return shipsTo
}

// kubernetesVersions are the Kubernetes versions EKS on Snow offers, oldest
// first, and eksAnywhere maps each EKS Anywhere release to the Kubernetes
// versions it runs.
var (
	kubernetesVersions = []string{"1.25", "1.26", "1.27", "1.28", "1.29"}
	eksAnywhere        = []struct {
		version    string
		kubernetes []string
	}{
		{"0.16.5", []string{"1.25", "1.26", "1.27"}},
		{"0.17.6", []string{"1.25", "1.26", "1.27", "1.28"}},
		{"0.18.7", []string{"1.26", "1.27", "1.28", "1.29"}},
		{"0.19.4", []string{"1.27", "1.28", "1.29"}},
	}
)

// ListServiceVersions implements api.Service: the versions of one service,
// newest first, compatible with every dependent service given.
func (p *Provider) ListServiceVersions(ctx context.Context, in *api.ListServiceVersionsRequest) (*api.ListServiceVersionsResult, error) {
	name := *in.ServiceName
	var versions []string
	switch name {
	case api.ServiceNameKUBERNETES:
		versions = slices.Clone(kubernetesVersions)
	case api.ServiceNameEKSANYWHERE:
		for _, e := range eksAnywhere {
			versions = append(versions, e.version)
		}
	}
	for _, dep := range in.DependentServices {
		depName, depVersion := str(dep.ServiceName), ""
		if dep.ServiceVersion != nil {
			depVersion = str(dep.ServiceVersion.Version)
		}
		if depName == "" || depName == string(name) {
			return nil, invalidResource("DependentService", "%s cannot depend on %q.", name, depName)
		}
		if !knownVersion(api.ServiceName(depName), depVersion) {
			return nil, invalidResource("DependentService", "%s %q is not a version Snow devices run.", depName, depVersion)
		}
		versions = slices.DeleteFunc(versions, func(v string) bool { return !compatible(name, v, depVersion) })
	}
	slices.Reverse(versions)
	filter := fmt.Sprint(name, in.DependentServices)
	from, next, err := p.staticPage(ctx, "ListServiceVersions", filter, in.NextToken, in.MaxResults, len(versions))
	if err != nil {
		return nil, err
	}
	out := &api.ListServiceVersionsResult{ServiceName: &name, DependentServices: in.DependentServices,
		ServiceVersions: []api.ServiceVersion{}, NextToken: next.token}
	for _, v := range versions[from:next.end] {
		out.ServiceVersions = append(out.ServiceVersions, api.ServiceVersion{Version: ptr(v)})
	}
	return out, nil
}

func knownVersion(name api.ServiceName, v string) bool {
	if name == api.ServiceNameKUBERNETES {
		return slices.Contains(kubernetesVersions, v)
	}
	return slices.ContainsFunc(eksAnywhere, func(e struct {
		version    string
		kubernetes []string
	}) bool {
		return e.version == v
	})
}

// compatible reports whether version v of service name runs with the
// dependent service's version dep.
func compatible(name api.ServiceName, v, dep string) bool {
	for _, e := range eksAnywhere {
		if name == api.ServiceNameEKSANYWHERE && e.version == v {
			return slices.Contains(e.kubernetes, dep)
		}
		if name == api.ServiceNameKUBERNETES && e.version == dep {
			return slices.Contains(e.kubernetes, v)
		}
	}
	return false
}

// ListCompatibleImages implements api.Service.
func (p *Provider) ListCompatibleImages(ctx context.Context, in *api.ListCompatibleImagesRequest) (*api.ListCompatibleImagesResult, error) {
	all := compatibleImages(account(ctx))
	from, next, err := p.staticPage(ctx, "ListCompatibleImages", "", in.NextToken, in.MaxResults, len(all))
	if err != nil {
		return nil, err
	}
	return &api.ListCompatibleImagesResult{CompatibleImages: all[from:next.end], NextToken: next.token}, nil
}

// softwareVersion is the device software release GetSoftwareUpdates serves.
const softwareVersion = "snow-device-os 108.0.2"
