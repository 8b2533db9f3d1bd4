"""Rules for rds, and the RDS type tokens the rules share."""

INSTANCE = "aws:rds/instance:Instance"
#: Aurora clusters and Multi-AZ DB clusters (the non-Aurora kind, with ``dbClusterInstanceClass``).
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
#: The aws-native equivalents (same property names for what the mandatory rules read).
NATIVE_INSTANCE = "aws-native:rds:DbInstance"
NATIVE_CLUSTER = "aws-native:rds:DbCluster"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
