from setuptools import find_packages, setup

setup(
    name='openpifpaf_deepfashion',
    version='0.1.0',
    description='OpenPifPaf plugin for fashion landmarks: DeepFashion and FLD conversion, training and NE evaluation',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    license='MIT',
    packages=find_packages(include=['openpifpaf_deepfashion', 'openpifpaf_deepfashion.*']),
    python_requires='>=3.10',
    install_requires=[
        'openpifpaf-vita>=0.14.2',
        'numpy',
        'Pillow',
        'pycocotools',
        'matplotlib<3.9',
    ],
    extras_require={
        'test': ['pytest', 'pycodestyle'],
    },
)
