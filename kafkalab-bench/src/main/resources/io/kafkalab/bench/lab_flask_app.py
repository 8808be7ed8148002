# The lab's HTTP API, seed 004's producer.py (Flask + kafka-python, JSON values, producer.flush() per request),
# changed only where the benchmark must choose: the address, the topic, the port, and the segment size.
#   python3 lab_flask_app.py BOOTSTRAP TOPIC PORT CHUNK     (CHUNK 0: one record per message, the seed's first version;
#                                                            100: segmented_send(message, 100), its second)
# Binds 127.0.0.1 (the seed's 0.0.0.0 is not for a benchmark) and runs without debug (the seed's debug=True adds
# the reloader and the debugger to every request; a fair peer runs as it would be deployed).
import json
import logging
import sys
from textwrap import wrap

from flask import Flask, request, jsonify
from kafka import KafkaProducer

bootstrap_servers = sys.argv[1]
topic = sys.argv[2]
port = int(sys.argv[3])
chunk = int(sys.argv[4])

app = Flask(__name__)
logging.getLogger('werkzeug').setLevel(logging.ERROR)

producer = KafkaProducer(bootstrap_servers=bootstrap_servers,
                         value_serializer=lambda v: json.dumps(v).encode('utf-8'))


def segmented_send(message, chunk_size=200):
    try:
        for part in wrap(message, width=chunk_size):
            producer.send(topic, part)
        producer.flush()
        return 'OK'
    except Exception as e:
        return str(e)


@app.route('/send_message', methods=['POST'])
def send_message():
    message = request.json.get('message')
    if not message:
        return jsonify({'error': 'Отсутствует сообщение'}), 400
    if chunk > 0:
        status = segmented_send(message, chunk)
        if status != 'OK':
            return jsonify({'error': status}), 500
    else:
        producer.send(topic, message)
        producer.flush()
    return jsonify({'status': 'Сообщение успешно отправлено'}), 200


if __name__ == '__main__':
    app.run(host='127.0.0.1', port=port, threaded=True)
