DROP TABLE package_signings;
DROP TABLE packages;
DROP TABLE certificates;
