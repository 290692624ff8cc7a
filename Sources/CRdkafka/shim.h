#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H

/* rd_kafka_producev is variadic; producers use rd_kafka_produceva with rd_kafka_vu_t instead. */
#include <librdkafka/rdkafka.h>

#endif
