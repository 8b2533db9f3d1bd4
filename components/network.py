"""Network: VPC with public, private and isolated subnets, NAT, an S3 gateway endpoint for the private subnets,
flow logs and a closed default SG."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from . import checks
from ._common import assume_role_policy, partition_for_region, policy_json
from .iam import service_role


def _flow_log_policy(log_group_arn: str) -> str:
    """What the VPC Flow Logs service may do with our flow-log group, and nothing else."""
    return policy_json({
        "Sid": "WriteFlowLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        "Resource": [log_group_arn, f"{log_group_arn}:*"],
    })


def _no_public_ip_on_launch(args: pulumi.ResourceTransformArgs) -> Optional[pulumi.ResourceTransformResult]:
    """awsx sets mapPublicIpOnLaunch on its public subnets and has no argument to turn it off. Nothing of ours
    launches there with an ENI that needs it (the ALB and the NAT gateways get their own addresses), so turn it
    off on the component's children: the engine runs a component's transforms on the children its provider
    registers."""
    if args.type_ == "aws:ec2/subnet:Subnet" and args.props.get("mapPublicIpOnLaunch"):
        return pulumi.ResourceTransformResult(props={**args.props, "mapPublicIpOnLaunch": False}, opts=args.opts)
    return None


@dataclass(frozen=True)
class NetworkArgs:
    """What the network needs. Checks: ``checks.az_count``, ``nat_strategy``, ``log_retention``."""

    #: The VPC's IPv4 CIDR, /16 to /24 (``vpcCidr``); awsx splits it into the subnets.
    cidr_block: str
    #: Availability zones to span: 2 or 3 (facts.AZ_COUNTS).
    az_count: int
    #: NAT gateways for the private subnets: "Single" or "OnePerAz" (facts.NAT_STRATEGIES).
    nat_strategy: str
    #: The stack's AWS region (aws:region), e.g. us-east-1; names the partition of ARNs in the flow-log policies.
    region: str
    #: The account id (12 digits), for the flow-log role's trust policy.
    account_id: pulumi.Input[str]
    #: Days the flow-log group keeps events: a CloudWatch Logs value (facts.LOG_RETENTION_DAYS).
    log_retention_days: int
    #: ARN of the KMS key that encrypts the flow-log group.
    kms_key_arn: pulumi.Input[str]
    #: Tags for every taggable child resource (key -> value). Default: none.
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks.validate(self, az_count=checks.az_count, nat_strategy=checks.nat_strategy,
                        log_retention_days=checks.log_retention)


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[Sequence[str]]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    isolated_subnet_ids: pulumi.Output[Sequence[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("webservice:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        # Public subnets hold only the ALB and the NAT gateways. awsx maps public IPs on launch there; nothing of
        # ours launches into them with an ENI that could use it, so a transform turns that off.
        vpc = awsx.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            number_of_availability_zones=args.az_count,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
            subnet_specs=[
                awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PUBLIC, name="public"),
                awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PRIVATE, name="private"),
                awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.ISOLATED, name="isolated"),
            ],
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(
                strategy=awsx.ec2.NatGatewayStrategy(args.nat_strategy)),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, transforms=[_no_public_ip_on_launch]),
        )

        # Take over the VPC's default security group and leave it with no rules at all.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.vpc_id,
            ingress=[],
            egress=[],
            tags={**tags, "Name": f"{name}-default-closed"},
            opts=child,
        )

        flow_log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child,
        )
        partition = partition_for_region(args.region)
        flow_log_role, attachments = service_role(
            f"{name}-flow-logs-role",
            description="VPC Flow Logs delivery to CloudWatch Logs",
            trust=pulumi.Output.from_input(args.account_id).apply(
                lambda account: assume_role_policy(
                    "vpc-flow-logs.amazonaws.com", account_id=account,
                    source_arn_like=f"arn:{partition}:ec2:{args.region}:{account}:vpc-flow-log/*")),
            policies={f"{name}-flow-logs-policy": ("Write VPC flow logs to the flow-log group only",
                                                   flow_log_group.arn.apply(_flow_log_policy))},
            tags=tags,
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=flow_log_group.arn,
            iam_role_arn=flow_log_role.arn,
            max_aggregation_interval=60,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
        )

        # ECR keeps image layers in S3: a gateway endpoint (free) on the private route tables keeps layer pulls
        # off the NAT gateways, which charge per GB. awsx tags each route table with its subnet type; the
        # lookup depends on the VPC component, which completes only once its route tables exist.
        private_route_tables = aws.ec2.get_route_tables_output(
            vpc_id=vpc.vpc_id, filters=[{"name": "tag:SubnetType", "values": ["Private"]}],
            opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[vpc]))
        aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint",
            vpc_id=vpc.vpc_id,
            service_name=f"{'cn.' if partition == 'aws-cn' else ''}com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=private_route_tables.ids,
            tags={**tags, "Name": f"{name}-s3"},
            opts=child,
        )

        self.vpc_id = vpc.vpc_id
        self.public_subnet_ids = vpc.public_subnet_ids
        self.private_subnet_ids = vpc.private_subnet_ids
        self.isolated_subnet_ids = vpc.isolated_subnet_ids
        self.register_outputs({
            "vpcId": self.vpc_id,
            "publicSubnetIds": self.public_subnet_ids,
            "privateSubnetIds": self.private_subnet_ids,
            "isolatedSubnetIds": self.isolated_subnet_ids,
        })
