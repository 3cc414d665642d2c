package snowball

import (
	"fmt"
	"slices"

	api "github.com/jobplane/jobplane/internal/api/snowball"
)

// device is what one SnowballType supports. The table below is the single
// source of every device-combination rule (spec/snowball.md §12); the spec
// publishes no matrix of what the live service rejects, so the rows are
// jobplane's reading of §12.1 and §12.2, documented in docs/snowball.md.
type device struct {
	typ api.SnowballType
	// capacities are the SnowballCapacityPreference values the device comes
	// in; NoPreference is always accepted and resolves to the first.
	capacities []api.SnowballCapacity
	jobTypes   []api.JobType
	// services are the on-device services the device can run.
	services []onDeviceService
	// compute devices run EC2 AMIs and Lambda functions.
	compute bool
	// snowcone devices take a SnowconeDeviceConfiguration (Wi-Fi).
	snowcone bool
	// minNodes..maxNodes bound a cluster of this device; 0 means no clusters.
	minNodes, maxNodes int
	// longTermPricing says whether the device can be leased long term.
	longTermPricing bool
	// s3ClusterTB is the usable capacity in TB of S3 compatible storage on a
	// cluster of n nodes, index n (spec §6); nil when the device offers none.
	s3ClusterTB []float64
}

// onDeviceService names an entry of OnDeviceServiceConfiguration.
type onDeviceService string

const (
	serviceNFS onDeviceService = "NFSOnDeviceService"
	serviceS3  onDeviceService = "S3OnDeviceService"
	serviceEKS onDeviceService = "EKSOnDeviceService"
	serviceTGW onDeviceService = "TGWOnDeviceService"
)

var (
	allJobTypes = []api.JobType{api.JobTypeIMPORT, api.JobTypeEXPORT, api.JobTypeLOCALUSE}
	// S3 compatible storage cluster capacities, usable TB by node count
	// (spec §6: gen1 compute optimized / gen2 compute optimized).
	s3TBGen1 = []float64{0, 0, 0, 83, 125, 125, 167, 209, 250, 292, 334, 370, 376, 418, 459, 495, 501}
	s3TBGen2 = []float64{0, 0, 0, 38, 57, 57, 76, 95, 114, 133, 152, 165, 171, 190, 209, 225, 228}
)

// devices is the device-combination table.
var devices = []device{
	{typ: api.SnowballTypeSTANDARD, capacities: []api.SnowballCapacity{api.SnowballCapacityT80, api.SnowballCapacityT50},
		jobTypes: []api.JobType{api.JobTypeIMPORT, api.JobTypeEXPORT}},
	{typ: api.SnowballTypeEDGE, capacities: []api.SnowballCapacity{api.SnowballCapacityT100, api.SnowballCapacityT98},
		jobTypes: allJobTypes, services: []onDeviceService{serviceNFS, serviceTGW}, compute: true,
		minNodes: 5, maxNodes: 10, longTermPricing: true},
	{typ: api.SnowballTypeEDGEC, capacities: []api.SnowballCapacity{api.SnowballCapacityT42},
		jobTypes: allJobTypes, services: []onDeviceService{serviceNFS, serviceS3, serviceEKS}, compute: true,
		minNodes: 3, maxNodes: 16, longTermPricing: true, s3ClusterTB: s3TBGen1},
	{typ: api.SnowballTypeEDGECG, capacities: []api.SnowballCapacity{api.SnowballCapacityT42},
		jobTypes: allJobTypes, services: []onDeviceService{serviceNFS, serviceEKS}, compute: true, longTermPricing: true},
	{typ: api.SnowballTypeEDGES, capacities: []api.SnowballCapacity{api.SnowballCapacityT98},
		jobTypes: allJobTypes, services: []onDeviceService{serviceNFS, serviceTGW}, longTermPricing: true},
	{typ: api.SnowballTypeSNC1HDD, capacities: []api.SnowballCapacity{api.SnowballCapacityT8},
		jobTypes: []api.JobType{api.JobTypeIMPORT, api.JobTypeLOCALUSE}, services: []onDeviceService{serviceNFS},
		compute: true, snowcone: true, longTermPricing: true},
	{typ: api.SnowballTypeSNC1SSD, capacities: []api.SnowballCapacity{api.SnowballCapacityT14},
		jobTypes: []api.JobType{api.JobTypeIMPORT, api.JobTypeLOCALUSE}, services: []onDeviceService{serviceNFS},
		compute: true, snowcone: true, longTermPricing: true},
	{typ: api.SnowballTypeV35C, capacities: []api.SnowballCapacity{api.SnowballCapacityT32},
		jobTypes: allJobTypes, services: []onDeviceService{serviceNFS, serviceS3, serviceEKS}, compute: true,
		minNodes: 3, maxNodes: 16, longTermPricing: true, s3ClusterTB: s3TBGen2},
	{typ: api.SnowballTypeV35S, capacities: []api.SnowballCapacity{api.SnowballCapacityT240},
		jobTypes: allJobTypes, services: []onDeviceService{serviceNFS}, compute: true, longTermPricing: true},
	{typ: api.SnowballTypeRACK5UC, capacities: []api.SnowballCapacity{api.SnowballCapacityT13},
		jobTypes: []api.JobType{api.JobTypeLOCALUSE}, services: []onDeviceService{serviceNFS, serviceEKS}, compute: true,
		longTermPricing: true},
}

// deviceOf returns the table row of a SnowballType.
func deviceOf(t api.SnowballType) (*device, bool) {
	for i := range devices {
		if devices[i].typ == t {
			return &devices[i], true
		}
	}
	return nil, false
}

// order is the part of a job or cluster request the table rules on.
type order struct {
	snowballType api.SnowballType
	jobType      api.JobType
	capacity     *api.SnowballCapacity
	services     *api.OnDeviceServiceConfiguration
	resources    *api.JobResource
	deviceConfig *api.DeviceConfiguration
	// clusterSize is the number of nodes of a cluster order (0: not a
	// cluster, or a cluster created without nodes).
	cluster     bool
	clusterSize int
	forceJobs   bool
}

func combination(format string, args ...any) error {
	return &api.InvalidInputCombinationException{Message: ptr(fmt.Sprintf(format, args...))}
}

// check returns InvalidInputCombinationException for an order the device
// table does not allow, or nil.
func (o order) check() error {
	d, ok := deviceOf(o.snowballType)
	if !ok {
		return combination("SnowballType %s is not supported.", o.snowballType)
	}
	if !slices.Contains(d.jobTypes, o.jobType) {
		return combination("The SnowballType %s does not support the JobType %s.", o.snowballType, o.jobType)
	}
	if c := o.capacity; c != nil && *c != api.SnowballCapacityNoPreference && !slices.Contains(d.capacities, *c) {
		return combination("The SnowballCapacityPreference %s is not available for the SnowballType %s.", *c, o.snowballType)
	}
	if err := o.checkServices(d); err != nil {
		return err
	}
	if r := o.resources; r != nil {
		if !d.compute && (len(r.Ec2AmiResources) > 0 || len(r.LambdaResources) > 0) {
			return combination("The SnowballType %s does not run EC2 AMIs or Lambda functions.", o.snowballType)
		}
		for _, s3 := range r.S3Resources {
			for _, t := range s3.TargetOnDeviceServices {
				if err := o.checkTarget(d, t); err != nil {
					return err
				}
			}
		}
	}
	if o.deviceConfig != nil && o.deviceConfig.SnowconeDeviceConfiguration != nil && !d.snowcone {
		return combination("SnowconeDeviceConfiguration applies only to Snowcone devices, not to %s.", o.snowballType)
	}
	if o.cluster {
		return o.checkCluster(d)
	}
	return nil
}

func (o order) configured() []onDeviceService {
	var out []onDeviceService
	if s := o.services; s != nil {
		if s.NFSOnDeviceService != nil {
			out = append(out, serviceNFS)
		}
		if s.S3OnDeviceService != nil {
			out = append(out, serviceS3)
		}
		if s.EKSOnDeviceService != nil {
			out = append(out, serviceEKS)
		}
		if s.TGWOnDeviceService != nil {
			out = append(out, serviceTGW)
		}
	}
	return out
}

func (o order) checkServices(d *device) error {
	for _, s := range o.configured() {
		if !slices.Contains(d.services, s) {
			return combination("The SnowballType %s does not support the on-device service %s.", o.snowballType, s)
		}
		// EKS Anywhere and S3 compatible storage run on devices kept on site
		// (spec §12.2: ordered as LOCAL_USE).
		if (s == serviceEKS || s == serviceS3) && o.jobType != api.JobTypeLOCALUSE {
			return combination("The on-device service %s needs the JobType LOCAL_USE, not %s.", s, o.jobType)
		}
	}
	// Tape Gateway takes exactly 80 TB (API_TGWOnDeviceServiceConfiguration).
	if t := o.services; t != nil && t.TGWOnDeviceService != nil && t.TGWOnDeviceService.StorageLimit != nil && *t.TGWOnDeviceService.StorageLimit != 80 {
		return combination("The Tape Gateway service StorageLimit must be 80, not %d.", *t.TGWOnDeviceService.StorageLimit)
	}
	return nil
}

func (o order) checkTarget(d *device, t api.TargetOnDeviceService) error {
	if t.ServiceName != nil {
		s := serviceNFS
		if *t.ServiceName == api.DeviceServiceNameS3ONDEVICESERVICE {
			s = serviceS3
		}
		if !slices.Contains(d.services, s) {
			return combination("The SnowballType %s does not support the target service %s.", o.snowballType, *t.ServiceName)
		}
	}
	if t.TransferOption != nil && string(*t.TransferOption) != string(o.jobType) {
		return combination("The TransferOption %s of a target service does not match the JobType %s.", *t.TransferOption, o.jobType)
	}
	return nil
}

func (o order) checkCluster(d *device) error {
	if d.maxNodes == 0 {
		return combination("The SnowballType %s cannot be clustered.", o.snowballType)
	}
	if o.jobType != api.JobTypeLOCALUSE {
		return combination("A cluster's JobType must be LOCAL_USE, not %s.", o.jobType)
	}
	n := o.clusterSize
	if n != 0 && (n < d.minNodes || n > d.maxNodes) {
		return combination("A cluster of %s devices has %d to %d nodes, not %d.", o.snowballType, d.minNodes, d.maxNodes, n)
	}
	s3 := (*api.S3OnDeviceServiceConfiguration)(nil)
	if o.services != nil {
		s3 = o.services.S3OnDeviceService
	}
	if s3 == nil || n == 0 || o.forceJobs {
		return nil
	}
	// ForceCreateJobs overrides the check that the node count matches the
	// S3 capacity asked for (spec §3 CreateCluster).
	if s3.ServiceSize != nil && int(*s3.ServiceSize) != n {
		return combination("The S3 service size %d does not match the %d nodes of the cluster; set ForceCreateJobs to override.", *s3.ServiceSize, n)
	}
	if s3.FaultTolerance != nil && int(*s3.FaultTolerance) != faultTolerance(n) {
		return combination("A cluster of %d nodes tolerates %d node failures, not %d.", n, faultTolerance(n), *s3.FaultTolerance)
	}
	if s3.StorageLimit != nil && *s3.StorageLimit != 0 && *s3.StorageLimit != d.s3ClusterTB[n] {
		return combination("S3 compatible storage on %d %s nodes offers %g TB, not %g; set ForceCreateJobs to override.",
			n, o.snowballType, d.s3ClusterTB[n], *s3.StorageLimit)
	}
	return nil
}

// faultTolerance is how many nodes an S3 compatible storage cluster of n
// nodes may lose (spec §6: 1 for 3-4 nodes, 2 for 5-16).
func faultTolerance(n int) int {
	if n < 5 {
		return 1
	}
	return 2
}

// capacityOf resolves a capacity preference to the device's capacity.
func capacityOf(t api.SnowballType, pref *api.SnowballCapacity) api.SnowballCapacity {
	if pref != nil && *pref != api.SnowballCapacityNoPreference {
		return *pref
	}
	if d, ok := deviceOf(t); ok {
		return d.capacities[0]
	}
	return api.SnowballCapacityNoPreference
}
