// One implementation for the tests and the cluster benchmark (bench/ is built, test/ is not).
export { RedisCluster, type ClusterNodeInfo } from '../../bench/support/redis-cluster.js';
