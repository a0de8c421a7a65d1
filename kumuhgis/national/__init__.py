"""National scale: every city project as a partition of one GeoParquet dataset, and every
city's figures computed on a Dask cluster with the same code as the city commands.

* :mod:`~kumuhgis.national.dataset`: the dataset's layout, reading and writing;
* :mod:`~kumuhgis.national.build`: a folder of city projects into a dataset;
* :mod:`~kumuhgis.national.figures`: one city's figures (:mod:`kumuhgis.analysis.city`)
  and the point classification (:class:`kumuhgis.geo.index.KawasanIndex`);
* :mod:`~kumuhgis.national.jobs`: the tasks a worker runs;
* :mod:`~kumuhgis.national.rollup`: city → province → nation;
* :mod:`~kumuhgis.national.run`: the run on a :class:`distributed.Client`;
* :mod:`~kumuhgis.national.files`: the run's CSV, XLSX and GeoParquet files.

The layer sits between the demo and the outputs (pyproject.toml's import contract): it
reads projects through the store, computes with analysis, writes with outputs. Dask is
imported only inside :func:`kumuhgis.national.run.run_national` and the command.
"""
