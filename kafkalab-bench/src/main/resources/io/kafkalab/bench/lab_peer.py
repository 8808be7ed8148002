"""The lab's own client, kafka-python, for kafkalab's peer comparison (run with Debian's python3 and
python3-kafka). Prints one line: RESULT seconds=<s> records=<n>.

  python3 lab_peer.py produce BOOTSTRAP TOPIC COUNT   # the lab's producer loop: acks=all, retries=5,
                                                      # JSON CustomMessage values keyed by user id, one flush
  python3 lab_peer.py consume BOOTSTRAP TOPIC COUNT   # the lab's consumer loop, from the earliest offset
"""
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer


def produce(bootstrap, topic, count):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all', retries=5,
                             key_serializer=lambda k: k.encode('utf-8'),
                             value_serializer=lambda v: json.dumps(v).encode('utf-8'))
    text = 'x' * 75  # with the JSON around it, a value of 100 bytes
    acked = [0]
    failed = [0]

    def ok(_):
        acked[0] += 1

    def error(_):
        failed[0] += 1

    begin = time.perf_counter()
    for i in range(count):
        user = str(i % 10)
        producer.send(topic, key=user, value={'key': user, 'value': text}) \
            .add_callback(ok).add_errback(error)
    producer.flush()
    seconds = time.perf_counter() - begin
    producer.close()
    if acked[0] != count:
        print('ERROR acked=%d failed=%d of %d' % (acked[0], failed[0], count))
        return
    print('RESULT seconds=%.6f records=%d' % (seconds, count))


def consume(bootstrap, topic, count):
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset='earliest',
                             enable_auto_commit=False, consumer_timeout_ms=60000)
    received = 0
    begin = None
    for _ in consumer:
        if begin is None:
            begin = time.perf_counter()
        received += 1
        if received == count:
            break
    seconds = time.perf_counter() - begin if begin else 0
    consumer.close()
    if received != count:
        print('ERROR received=%d of %d' % (received, count))
        return
    print('RESULT seconds=%.6f records=%d' % (seconds, count))


if __name__ == '__main__':
    mode, bootstrap, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    (produce if mode == 'produce' else consume)(bootstrap, topic, count)
    sys.stdout.flush()
