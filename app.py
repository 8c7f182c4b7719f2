"""The chat widget on http://127.0.0.1:7860; the same as `faqbot serve` (same options).

python app.py
python app.py --port 8080 --faq data/faq.yaml --index index/
"""

import sys

from faqbot.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
