package snowball

import (
	"testing"

	api "github.com/jobplane/jobplane/internal/api/snowball"
)

func TestDeviceCombinations(t *testing.T) {
	t.Parallel()
	cap := func(c api.SnowballCapacity) *api.SnowballCapacity { return &c }
	nfs := &api.OnDeviceServiceConfiguration{NFSOnDeviceService: &api.NFSOnDeviceServiceConfiguration{}}
	eks := &api.OnDeviceServiceConfiguration{EKSOnDeviceService: &api.EKSOnDeviceServiceConfiguration{KubernetesVersion: ptr("1.29")}}
	s3 := func(size, ft int32, tb float64) *api.OnDeviceServiceConfiguration {
		return &api.OnDeviceServiceConfiguration{S3OnDeviceService: &api.S3OnDeviceServiceConfiguration{
			ServiceSize: &size, FaultTolerance: &ft, StorageLimit: &tb}}
	}
	tgw := func(limit int32) *api.OnDeviceServiceConfiguration {
		return &api.OnDeviceServiceConfiguration{TGWOnDeviceService: &api.TGWOnDeviceServiceConfiguration{StorageLimit: &limit}}
	}
	ami := &api.JobResource{Ec2AmiResources: []api.Ec2AmiResource{{AmiId: ptr("ami-12345678")}}}
	target := func(s api.DeviceServiceName, o api.TransferOption) *api.JobResource {
		return &api.JobResource{S3Resources: []api.S3Resource{{BucketArn: ptr("arn:aws:s3:::b-b-b"),
			TargetOnDeviceServices: []api.TargetOnDeviceService{{ServiceName: &s, TransferOption: &o}}}}}
	}
	wifi := &api.DeviceConfiguration{SnowconeDeviceConfiguration: &api.SnowconeDeviceConfiguration{}}
	tests := []struct {
		name  string
		order order
		ok    bool
	}{
		{"a compute-optimized device imports", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeIMPORT, capacity: cap(api.SnowballCapacityT32)}, true},
		{"a storage-optimized 210 TB device exports", order{snowballType: api.SnowballTypeV35S, jobType: api.JobTypeEXPORT, capacity: cap(api.SnowballCapacityT240)}, true},
		{"any device takes NoPreference", order{snowballType: api.SnowballTypeEDGES, jobType: api.JobTypeIMPORT, capacity: cap(api.SnowballCapacityNoPreference)}, true},
		{"the original Snowball comes in 50 TB", order{snowballType: api.SnowballTypeSTANDARD, jobType: api.JobTypeIMPORT, capacity: cap(api.SnowballCapacityT50)}, true},
		{"EDGE comes in T98 as well as T100", order{snowballType: api.SnowballTypeEDGE, jobType: api.JobTypeLOCALUSE, capacity: cap(api.SnowballCapacityT98)}, true},
		{"a capacity of another device is refused", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeIMPORT, capacity: cap(api.SnowballCapacityT240)}, false},
		{"a Snowcone does not export", order{snowballType: api.SnowballTypeSNC1SSD, jobType: api.JobTypeEXPORT}, false},
		{"a Snowcone runs locally with Wi-Fi", order{snowballType: api.SnowballTypeSNC1HDD, jobType: api.JobTypeLOCALUSE, deviceConfig: wifi}, true},
		{"Wi-Fi settings on an Edge are refused", order{snowballType: api.SnowballTypeEDGE, jobType: api.JobTypeLOCALUSE, deviceConfig: wifi}, false},
		{"the original Snowball is not for local use", order{snowballType: api.SnowballTypeSTANDARD, jobType: api.JobTypeLOCALUSE}, false},
		{"the Snowblade is for local use only", order{snowballType: api.SnowballTypeRACK5UC, jobType: api.JobTypeIMPORT}, false},
		{"NFS runs on a Snowcone", order{snowballType: api.SnowballTypeSNC1SSD, jobType: api.JobTypeIMPORT, services: nfs}, true},
		{"NFS does not run on the original Snowball", order{snowballType: api.SnowballTypeSTANDARD, jobType: api.JobTypeIMPORT, services: nfs}, false},
		{"EKS Anywhere runs locally on a compute-optimized device", order{snowballType: api.SnowballTypeEDGECG, jobType: api.JobTypeLOCALUSE, services: eks}, true},
		{"EKS Anywhere is not for an import", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeIMPORT, services: eks}, false},
		{"EKS Anywhere does not run on a storage-optimized device", order{snowballType: api.SnowballTypeV35S, jobType: api.JobTypeLOCALUSE, services: eks}, false},
		{"S3 storage runs on a standalone compute-optimized device", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeLOCALUSE, services: s3(3, 1, 0)}, true},
		{"S3 storage does not run on a storage-optimized device", order{snowballType: api.SnowballTypeV35S, jobType: api.JobTypeLOCALUSE, services: s3(3, 1, 0)}, false},
		{"Tape Gateway takes 80 TB on a storage-optimized device", order{snowballType: api.SnowballTypeEDGES, jobType: api.JobTypeIMPORT, services: tgw(80)}, true},
		{"Tape Gateway takes nothing but 80 TB", order{snowballType: api.SnowballTypeEDGES, jobType: api.JobTypeIMPORT, services: tgw(40)}, false},
		{"Tape Gateway does not run on a compute-optimized device", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeIMPORT, services: tgw(80)}, false},
		{"AMIs run on a compute device", order{snowballType: api.SnowballTypeSNC1HDD, jobType: api.JobTypeLOCALUSE, resources: ami}, true},
		{"AMIs do not run on a data-transfer device", order{snowballType: api.SnowballTypeEDGES, jobType: api.JobTypeLOCALUSE, resources: ami}, false},
		{"an import targets NFS with IMPORT", order{snowballType: api.SnowballTypeV35S, jobType: api.JobTypeIMPORT, resources: target(api.DeviceServiceNameNFSONDEVICESERVICE, api.TransferOptionIMPORT)}, true},
		{"a target transfer option must match the job type", order{snowballType: api.SnowballTypeV35S, jobType: api.JobTypeIMPORT, resources: target(api.DeviceServiceNameNFSONDEVICESERVICE, api.TransferOptionEXPORT)}, false},
		{"an S3 target needs a device with S3 storage", order{snowballType: api.SnowballTypeV35S, jobType: api.JobTypeLOCALUSE, resources: target(api.DeviceServiceNameS3ONDEVICESERVICE, api.TransferOptionLOCALUSE)}, false},
		{"a V3_5C cluster has 3 nodes", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 3}, true},
		{"a V3_5C cluster has at most 16 nodes", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 17}, false},
		{"an EDGE cluster has at least 5 nodes", order{snowballType: api.SnowballTypeEDGE, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 4}, false},
		{"an EDGE cluster has at most 10 nodes", order{snowballType: api.SnowballTypeEDGE, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 10}, true},
		{"a cluster may start empty", order{snowballType: api.SnowballTypeEDGEC, jobType: api.JobTypeLOCALUSE, cluster: true}, true},
		{"a cluster is for local use only", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeIMPORT, cluster: true, clusterSize: 3}, false},
		{"a storage-optimized device is not clustered", order{snowballType: api.SnowballTypeV35S, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 3}, false},
		{"S3 storage on 5 gen2 nodes offers 57 TB", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 5, services: s3(5, 2, 57)}, true},
		{"S3 storage on 5 gen1 nodes offers 125 TB", order{snowballType: api.SnowballTypeEDGEC, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 5, services: s3(5, 2, 125)}, true},
		{"an S3 capacity no configuration offers is refused", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 5, services: s3(5, 2, 60)}, false},
		{"an S3 service size other than the node count is refused", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 4, services: s3(5, 1, 0)}, false},
		{"ForceCreateJobs overrides the S3 size check", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 4, services: s3(5, 1, 0), forceJobs: true}, true},
		{"a 3-node S3 cluster tolerates one failure", order{snowballType: api.SnowballTypeV35C, jobType: api.JobTypeLOCALUSE, cluster: true, clusterSize: 3, services: s3(3, 2, 0)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.order.check()
			if tt.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tt.ok {
				wantCode(t, err, "InvalidInputCombinationException")
			}
		})
	}
}

func TestEveryModelDeviceTypeIsInTheTable(t *testing.T) {
	t.Parallel()
	for _, typ := range api.SnowballType("").Values() {
		d, ok := deviceOf(typ)
		if !ok {
			t.Errorf("%s has no row in the device table", typ)
			continue
		}
		if len(d.capacities) == 0 || len(d.jobTypes) == 0 {
			t.Errorf("%s: a row needs capacities and job types", typ)
		}
		if d.s3ClusterTB != nil && len(d.s3ClusterTB) <= d.maxNodes {
			t.Errorf("%s: no S3 capacity for its largest cluster", typ)
		}
	}
}
